-- The room's inventory: what the protected API says is left (X-WaitingRoom-Inventory, batched by the proxies) or what an
-- operator sets. The latest observation wins, whoever reports it: one made before the one kept changes nothing (a proxy
-- that flushes late, two backends racing). Clearing it (no inventory known) is an operator's, and always applies.
-- KEYS[1] inventory (hash: remaining, at, source)
-- ARGV[1] remaining (a non-negative integer, or '' to clear)   ARGV[2] when it was observed (ms)   ARGV[3] source
-- ARGV[4] notify channel (sharded: SPUBLISH)   ARGV[5] now (ms)
-- Returns { applied (1/0), remaining before ('' when unknown), remaining now ('' when unknown) }.
-- Publishes 'stock|<ms>' when the room becomes sold out or stops being (remaining reaches 0, or leaves it): every proxy and
-- hub reads it again at once (the waiting are told, admission resumes); other changes travel with the 1-second state poll.
-- From prelude.lua (LuaScripts.Load puts it in front): notice.
local current = redis.call('HMGET', KEYS[1], 'remaining', 'at')
local before = current[1] or ''
if ARGV[1] == '' then
  redis.call('DEL', KEYS[1])
else
  if current[2] and tonumber(current[2]) > tonumber(ARGV[2]) then
    return { 0, before, before }
  end
  redis.call('HSET', KEYS[1], 'remaining', ARGV[1], 'at', ARGV[2], 'source', ARGV[3])
end
local soldOutBefore = before == '0'
local soldOutNow = ARGV[1] == '0'
if soldOutBefore ~= soldOutNow then
  redis.call('SPUBLISH', ARGV[4], notice('stock', tonumber(ARGV[5])))
end
return { 1, before, ARGV[1] }
