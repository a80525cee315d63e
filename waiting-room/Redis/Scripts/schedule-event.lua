-- Schedule, replace or cancel a room's sale, only while its pre-queue has not opened: once visitors hold receipts the
-- event (and its committed seed) is fixed.
-- KEYS[1] schedule (hash)
-- ARGV[1] now (ms)   ARGV[2] 'set' or 'cancel'
-- for 'set': ARGV[3..] field, value pairs of the new event (prequeueOpensAt in ms among them)
-- Returns 1 done, 0 nothing to cancel, -1 refused: the current event's pre-queue opened already.
local now = tonumber(ARGV[1])
local opens = tonumber(redis.call('HGET', KEYS[1], 'prequeueOpensAt') or '')
if opens and opens <= now then
  return -1
end
if ARGV[2] == 'cancel' then
  return redis.call('DEL', KEYS[1])
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
return 1
