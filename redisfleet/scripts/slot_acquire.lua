-- Takes one of ARGV[2] slots for requests in flight until ARGV[3] ms from
-- now (Redis's clock): a sorted set of slots scored by their expiry, so that
-- the slots of a process that stopped renewing them (crash) free themselves.
-- KEYS[1] slots; ARGV[1] slot name, ARGV[2] max, ARGV[3] ttl in ms
-- Returns 1 when taken, 0 while all are taken.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], 2 * tonumber(ARGV[3]))
return 1
