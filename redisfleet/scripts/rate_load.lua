-- Reads the learned rate's state with Redis's clock.
-- KEYS[1] rate hash {v: version, s: state}
-- Returns {seconds, microseconds, version (0: none), state ('' when none)}.
local t = redis.call('TIME')
local v = redis.call('HMGET', KEYS[1], 'v', 's')
return {tonumber(t[1]), tonumber(t[2]), tonumber(v[1] or '0'), v[2] or ''}
