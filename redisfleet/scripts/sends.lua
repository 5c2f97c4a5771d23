-- The sends counted by reserve.lua in the ARGV[2] slots of ARGV[1] us up to
-- the one holding the instant ARGV[3] us before now (Redis's clock), oldest
-- first.
-- KEYS[1] send counts (ring hash: slot mod 512 -> "slot:count")
-- ARGV[1] slot in us, ARGV[2] number of slots (at most 512), ARGV[3] how
-- long ago the last slot's instant was, in us
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local last = math.floor((now - tonumber(ARGV[3])) / tonumber(ARGV[1]))
local n = tonumber(ARGV[2])
local out = {}
for k = last - n + 1, last do
  local v = redis.call('HGET', KEYS[1], string.format('%.0f', k % 512))
  local c = 0
  if v then
    local s, m = string.match(v, '^(%d+):(%d+)$')
    if s and tonumber(s) == k then
      c = tonumber(m)
    end
  end
  out[#out + 1] = c
end
return out
