-- Records a lockout for ttl on Redis's clock, unless a longer one is in force.
-- KEYS[1] lockout hash; ARGV[1] ttl in ms, ARGV[2] status, ARGV[3] code, ARGV[4] reauth 0/1
-- Returns 1 when written, 0 when a longer lockout was kept.
if redis.call('PTTL', KEYS[1]) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'code', ARGV[3], 'reauth', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
