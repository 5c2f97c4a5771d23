-- Opens the gate at once.
-- KEYS[1] gate
return redis.call('DEL', KEYS[1])
