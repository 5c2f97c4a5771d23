-- Takes the next send slot of a GCRA bucket on Redis's clock, unless the
-- gate is closed. A bucket is one instant, the theoretical arrival time (tat)
-- of the next request at the rate.
-- KEYS[1] bucket hash {t: tat in us, r: the rate it was reserved at},
-- KEYS[2] gate, KEYS[3] send counts (a ring hash: slot mod 512 -> "slot:count")
-- ARGV[1] rate (req/s), ARGV[2] burst, ARGV[3] max wait in us,
-- ARGV[4] counting slot in us (0: do not count), ARGV[5] send counts' expiry in ms
-- Returns {wait in us, 1 taken / 0 not, gate closure in ms (0: open)}.
local closed = redis.call('PTTL', KEYS[2])
if closed > 0 then
  return {0, 0, closed}
end
local rate, burst, maxwait = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = 1000000 / rate
local b = redis.call('HMGET', KEYS[1], 't', 'r')
local tat, old = tonumber(b[1] or '0'), tonumber(b[2] or '0')
if tat < now then
  tat = now
elseif old > 0 and old ~= rate then
  -- the slots reserved ahead were spaced at the old rate: respace them
  tat = now + (tat - now) * old / rate
end
local nxt = tat + interval
local wait = nxt - now - burst * interval
if wait < 0 then
  wait = 0
end
if wait > maxwait then
  redis.call('HSET', KEYS[1], 't', string.format('%.0f', tat), 'r', ARGV[1])
  redis.call('PEXPIRE', KEYS[1], math.floor((tat - now) / 1000) + 1000)
  return {math.floor(wait), 0, 0}
end
redis.call('HSET', KEYS[1], 't', string.format('%.0f', nxt), 'r', ARGV[1])
redis.call('PEXPIRE', KEYS[1], math.floor((nxt - now) / 1000) + 1000)
local slot = tonumber(ARGV[4])
if slot > 0 then
  local k = math.floor((now + wait) / slot)
  local f = string.format('%.0f', k % 512)
  local n = 1
  local v = redis.call('HGET', KEYS[3], f)
  if v then
    local s, c = string.match(v, '^(%d+):(%d+)$')
    if s and tonumber(s) == k then
      n = tonumber(c) + 1
    end
  end
  redis.call('HSET', KEYS[3], f, string.format('%.0f', k) .. ':' .. n)
  redis.call('PEXPIRE', KEYS[3], ARGV[5])
end
return {math.floor(wait), 1, 0}
