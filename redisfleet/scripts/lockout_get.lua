-- Reads the lockout in force with its remaining time on Redis's clock.
-- KEYS[1] lockout hash
-- Returns {ttl in ms (0: none), status, code, reauth}.
local v = redis.call('HMGET', KEYS[1], 'status', 'code', 'reauth')
local ttl = redis.call('PTTL', KEYS[1])
if not v[1] or ttl <= 0 then
  return {0, 0, '', 0}
end
return {ttl, tonumber(v[1]), v[2], tonumber(v[3])}
