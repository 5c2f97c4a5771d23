-- Ends a lease still held under the same fence.
-- KEYS[1] lease; ARGV[1] "fence|holder"
-- Returns 1 when released, 0 when the lease is gone or another's.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
