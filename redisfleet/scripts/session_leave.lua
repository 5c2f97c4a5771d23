-- Removes a holder; when no live holder remains, takes the token out of the
-- fleet and returns it so that the caller, the last one, logs it out.
-- KEYS[1] holders, KEYS[2] token hash; ARGV[1] holder
-- Returns {0} when others remain, {1, generation or 0, sealed secret or ''} when last.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) > 0 then
  return {0}
end
local v = redis.call('HMGET', KEYS[2], 'g', 's')
redis.call('DEL', KEYS[2])
if not v[1] then
  return {1, 0, ''}
end
return {1, tonumber(v[1]), v[2]}
