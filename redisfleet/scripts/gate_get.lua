-- How long the gate stays closed, in ms (0: open).
-- KEYS[1] gate
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  return 0
end
return left
