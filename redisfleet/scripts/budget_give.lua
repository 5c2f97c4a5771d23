-- Gives ARGV[1] tokens back to the retry budget.
-- KEYS[1] tokens spent; ARGV[1] n, ARGV[2] idle expiry in ms
-- Returns 1 when the budget is full now, else 0.
local spent = tonumber(redis.call('GET', KEYS[1]) or '0')
if spent <= 0 then
  return 1
end
local left = spent - tonumber(ARGV[1])
if left <= 0 then
  redis.call('DEL', KEYS[1])
  return 1
end
redis.call('SET', KEYS[1], left, 'PX', ARGV[2])
return 0
