-- Schedule, replace or cancel a room's sale, only while its pre-queue has not opened (once visitors hold receipts the
-- event and its committed seed are fixed until it is drawn), or once it was drawn (the next sale replaces the last
-- one's published draw). A new sale starts from an empty pre-queue.
-- KEYS[1] schedule (hash)   KEYS[2] pre-queue   KEYS[3] frozen pre-queue   KEYS[4] participants (the published draw)
-- ARGV[1] now (ms)   ARGV[2] 'set' or 'cancel'   ARGV[3] notify channel (sharded: SPUBLISH)
-- for 'set': ARGV[4..] field, value pairs of the new event (prequeueOpensAt in ms among them)
-- Returns 1 done, 0 nothing to cancel, -1 refused: the current event's pre-queue opened and it is not drawn yet.
-- Publishes 'sale|<ms>' when it changed something: every proxy and hub reads the sale again at once.
-- From prelude.lua (LuaScripts.Load puts it in front): notice.
local now = tonumber(ARGV[1])
local current = redis.call('HMGET', KEYS[1], 'prequeueOpensAt', 'drawnAt')
local opens = tonumber(current[1] or '')
if opens and opens <= now and not current[2] then
  return -1
end
if ARGV[2] == 'cancel' and not opens then
  return 0
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
if ARGV[2] == 'set' then
  redis.call('HSET', KEYS[1], unpack(ARGV, 4))
end
redis.call('SPUBLISH', ARGV[3], notice('sale', now))
return 1
