-- The draw's last step, atomic: the drawn order, staged aside in chunks (SaleDraw.cs), becomes the queue. Before it
-- the participants hold no position; after it every one of them waits under the sequence the draw gave it, ahead of
-- everyone who joined after the start. A drawer that died after the freeze left the frozen pre-queue and at most a
-- stale staging (its keys expire): the next lock holder draws again from the frozen pre-queue, with the same result.
-- KEYS[1] schedule   KEYS[2] staged places (zset visitor -> seq)   KEYS[3] staged order (list of receipts, drawn order)
-- KEYS[4] waiting (zset visitor -> seq)   KEYS[5] frozen pre-queue   KEYS[6] state   KEYS[7] events
-- KEYS[8] participants (list of receipts in drawn order: the published draw)   KEYS[9] joined (zset second -> first seq)
-- ARGV[1] now (ms)   ARGV[2] fencing token of the caller's admission lock grant   ARGV[3] the frozenAt the drawer read
-- ARGV[4] digest of the participants   ARGV[5] notify channel (sharded: SPUBLISH)   ARGV[6] events MAXLEN (approximate)
-- ARGV[7] how long the draw took (ms, for the record)
-- Returns 1 swapped in, 0 nothing to do (drawn already, or another freeze), -1 fenced (a newer lock holder admitted or
-- drew: this caller is late), -2 the staging is incomplete (not swapped).
-- Publishes 'sale|<ms>': every proxy and hub reads the room's sale again (the hubs then push every place at once).
-- The drawn keep their count in their network's waiting places (nets, netof: keyed by visitor, so a participant's
-- pre-queue place becomes its drawn place there with nothing to write); every frozen participant is drawn, and one
-- reaped before the freeze was released by reap.lua.
-- From prelude.lua (LuaScripts.Load puts it in front): notice, CHUNK.
local now = tonumber(ARGV[1])
local fence = tonumber(ARGV[2])
local accepted = tonumber(redis.call('HGET', KEYS[6], 'fence') or '0')
if fence < accepted then
  return -1
end
local f = redis.call('HMGET', KEYS[1], 'frozenAt', 'drawnAt', 'firstSeq', 'participants')
if f[1] ~= ARGV[3] or f[2] then
  return 0
end
redis.call('HSET', KEYS[6], 'fence', fence)
local n = tonumber(f[4])
if redis.call('ZCARD', KEYS[2]) ~= n or redis.call('LLEN', KEYS[3]) ~= n then
  return -2
end

-- Copies every member of one zset into another with its score, a chunk of members per command.
local function copy_zset(from, to, count)
  for first = 0, count - 1, CHUNK do
    local items = redis.call('ZRANGE', from, first, first + CHUNK - 1, 'WITHSCORES')
    local args = {}
    for i = 1, #items, 2 do
      args[#args + 1] = items[i + 1]
      args[#args + 1] = items[i]
    end
    redis.call('ZADD', to, unpack(args))
  end
end

-- The smaller set is merged into the larger (the script is atomic: nobody sees the merge half done).
if n > 0 then
  local waiting = redis.call('ZCARD', KEYS[4])
  if waiting >= n then
    copy_zset(KEYS[2], KEYS[4], n)
    redis.call('UNLINK', KEYS[2])
  else
    copy_zset(KEYS[4], KEYS[2], waiting)
    redis.call('RENAME', KEYS[2], KEYS[4])
    redis.call('PERSIST', KEYS[4])
  end
  redis.call('RENAME', KEYS[3], KEYS[8])
  redis.call('PERSIST', KEYS[8])
  -- The drawn joined at the draw, for the wait histogram (LT: an earlier mark of this second stays if lower).
  redis.call('ZADD', KEYS[9], 'LT', f[3], string.format('%d', math.floor(now / 1000)))
else
  redis.call('DEL', KEYS[8])
end
-- The frozen pre-queue (as large as the draw) is freed in the background: UNLINK, not a DEL that would hold the script.
redis.call('UNLINK', KEYS[5])
redis.call('HSET', KEYS[1], 'drawnAt', string.format('%d', now), 'digest', ARGV[4], 'drawMs', ARGV[7])
redis.call('XADD', KEYS[7], 'MAXLEN', '~', ARGV[6], '*', 'type', 'drawn', 'participants', n, 'firstSeq', f[3],
  'digest', ARGV[4], 'at', now)
redis.call('SPUBLISH', ARGV[5], notice('sale', now))
return 1
