-- Reads the current token and whether a lease is held, in one step.
-- KEYS[1] token hash, KEYS[2] lease
-- Returns {generation or 0, sealed secret or '', ttl in ms (-1: none), lease held 0/1}.
local v = redis.call('HMGET', KEYS[1], 'g', 's')
local held = redis.call('EXISTS', KEYS[2])
if not v[1] then
  return {0, '', -1, held}
end
return {tonumber(v[1]), v[2], redis.call('PTTL', KEYS[1]), held}
