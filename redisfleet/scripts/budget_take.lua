-- Takes ARGV[1] tokens from the retry budget of ARGV[2], which starts full;
-- the key holds the tokens spent. An idle budget expires, full again.
-- KEYS[1] tokens spent; ARGV[1] n, ARGV[2] capacity, ARGV[3] idle expiry in ms
-- Returns 1 when taken, 0 (taking none) when fewer than n are left.
local spent = tonumber(redis.call('GET', KEYS[1]) or '0')
local n, cap = tonumber(ARGV[1]), tonumber(ARGV[2])
if cap - spent < n then
  return 0
end
redis.call('SET', KEYS[1], spent + n, 'PX', ARGV[3])
return 1
