-- Gives a slot for a request in flight back.
-- KEYS[1] slots; ARGV[1] slot name
return redis.call('ZREM', KEYS[1], ARGV[1])
