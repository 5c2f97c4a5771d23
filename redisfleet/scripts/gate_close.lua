-- Closes the gate for at least ARGV[1] ms from now (Redis's clock), keeping
-- a longer closure in force.
-- KEYS[1] gate; ARGV[1] closure in ms
-- Returns how long the gate stays closed, in ms.
local want = tonumber(ARGV[1])
local left = redis.call('PTTL', KEYS[1])
if left >= want then
  return left
end
redis.call('SET', KEYS[1], '1', 'PX', want)
return want
