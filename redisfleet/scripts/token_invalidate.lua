-- Drops the token only if its generation is still the rejected one.
-- KEYS[1] token hash; ARGV[1] generation
-- Returns 1 when dropped, 0 when the token is already another generation.
if redis.call('HGET', KEYS[1], 'g') == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
