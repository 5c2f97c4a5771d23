-- Writes the learned rate's state as version ARGV[1]+1 if the stored version
-- is still ARGV[1] (optimistic concurrency). An untouched state expires.
-- KEYS[1] rate hash {v, s}; ARGV[1] version read, ARGV[2] state, ARGV[3] idle expiry in ms
-- Returns 1 when written, 0 when another writer came first.
local cur = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if cur ~= tonumber(ARGV[1]) then
  return 0
end
redis.call('HSET', KEYS[1], 'v', cur + 1, 's', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
