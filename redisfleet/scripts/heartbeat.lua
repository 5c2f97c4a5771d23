-- Records a live process until ARGV[2] ms from now (Redis's clock), renews
-- its slots for requests in flight (named "holder|n") for ARGV[3] ms, and
-- counts the live processes.
-- KEYS[1] processes (sorted set by expiry), KEYS[2] slots
-- ARGV[1] holder, ARGV[2] ttl in ms, ARGV[3] slot ttl in ms
-- Returns the number of live processes.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], 2 * tonumber(ARGV[2]))
local mine = ARGV[1] .. '|'
local slots = redis.call('ZRANGEBYSCORE', KEYS[2], now, '+inf')
for _, s in ipairs(slots) do
  if string.sub(s, 1, #mine) == mine then
    redis.call('ZADD', KEYS[2], 'XX', now + tonumber(ARGV[3]), s)
  end
end
if #slots > 0 then
  redis.call('PEXPIRE', KEYS[2], 2 * tonumber(ARGV[3]))
end
return redis.call('ZCARD', KEYS[1])
