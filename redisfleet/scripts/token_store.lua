-- Writes a new token generation, unless a newer lease has been granted since
-- the writer's: Redis itself compares the fences, so a holder paused past
-- its lease cannot overwrite a newer token.
-- KEYS[1] token hash {g, s}, KEYS[2] fence counter, KEYS[3] generation counter
-- ARGV[1] writer's fence, ARGV[2] sealed secret, ARGV[3] ttl in ms (0: none)
-- Returns the new generation, or 0 when fenced off.
local latest = tonumber(redis.call('GET', KEYS[2]) or '0')
if tonumber(ARGV[1]) < latest then
  return 0
end
local gen = redis.call('INCR', KEYS[3])
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'g', gen, 's', ARGV[2])
if tonumber(ARGV[3]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return gen
