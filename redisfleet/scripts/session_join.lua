-- Records a holder of the session until now + ttl on Redis's clock (TIME),
-- drops holders whose heartbeat lapsed, and keeps the set no longer than
-- its latest holder.
-- KEYS[1] holders (sorted set: holder -> expiry in ms); ARGV[1] holder, ARGV[2] ttl in ms
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIRE', KEYS[1], math.max(1, tonumber(last[2]) - now))
return redis.call('ZCARD', KEYS[1])
