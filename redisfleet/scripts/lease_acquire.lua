-- Grants the refresh lease to a holder with a new fencing token.
-- KEYS[1] lease ("fence|holder", expires), KEYS[2] fence counter
-- ARGV[1] holder, ARGV[2] ttl in ms
-- Returns {1, fence} when granted, {0, fence of the current holder} when not.
local cur = redis.call('GET', KEYS[1])
if cur then
  local sep = string.find(cur, '|', 1, true)
  if sep and string.sub(cur, sep + 1) ~= ARGV[1] then
    return {0, tonumber(string.sub(cur, 1, sep - 1))}
  end
end
local fence = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], fence .. '|' .. ARGV[1], 'PX', ARGV[2])
return {1, fence}
