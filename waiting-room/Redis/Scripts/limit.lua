-- Site-wide rate limits: GCRA (a token bucket kept as one timestamp) over one or more buckets, all or nothing.
-- KEYS[i]    bucket i: a string holding its theoretical arrival time (TAT, µs since epoch); its TTL is set here
-- ARGV[1]    now (µs since epoch, from the caller's clock: never Redis TIME)
-- ARGV[2i]   bucket i's emission interval (whole µs per request: 1,000,000 / requests per second)
-- ARGV[2i+1] bucket i's burst (requests allowed at once by an idle bucket)
-- Whole microseconds keep the arithmetic exact (integers below 2^53), so a bucket never drifts.
-- A request is allowed when every bucket allows it; only then does each bucket's TAT advance by its interval, and its
-- key lives until that bucket is full again (TTL = TAT - now): an idle client's keys vanish by themselves.
-- The caller gives all keys one hash tag (the client's network), so they share one Redis Cluster slot.
-- Returns {0, 0} when allowed, else {i, retry-after ms} for the first bucket that refuses (and nothing is taken).
local now = tonumber(ARGV[1])
local tats = {}
for i = 1, #KEYS do
  local interval = tonumber(ARGV[2 * i])
  local burst = tonumber(ARGV[2 * i + 1])
  local tat = tonumber(redis.call('GET', KEYS[i]) or now)
  if tat < now then
    tat = now
  end
  local nextTat = tat + interval
  local over = nextTat - now - burst * interval
  if over > 0 then
    return {i, math.ceil(over / 1000)}
  end
  tats[i] = nextTat
end
for i = 1, #KEYS do
  redis.call('SET', KEYS[i], string.format('%d', tats[i]), 'PX', math.ceil((tats[i] - now) / 1000))
end
return {0, 0}
