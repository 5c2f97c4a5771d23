-- Extends a lease still held under the same fence.
-- KEYS[1] lease; ARGV[1] "fence|holder", ARGV[2] ttl in ms
-- Returns 1 when renewed, 0 when the lease is gone or another's.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
