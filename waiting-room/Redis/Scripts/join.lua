-- Join a room's queue. Idempotent per visitor: a visitor with a live ticket gets that ticket back.
-- A place costs two members, one in waiting and one in seen; the ticket names its visitor and sequence
-- ('<visitor>.<seq>', prelude.lua), the return URL rides in the signed ticket token, and the join time is kept per second
-- in joined, so nothing else is kept per waiting visitor.
-- KEYS[1] visitors (hash visitor -> ticket, of admitted visitors)   KEYS[2] joined (zset second -> first seq joined in it)
-- KEYS[3] seq (string)                        KEYS[4] waiting (zset visitor -> seq)
-- KEYS[5] active (zset ticket -> expiry ms)   KEYS[6] seen (zset ticket -> last seen ms)
-- ARGV[1] visitor id   ARGV[2] random part of a direct admission's ticket   ARGV[3] now (ms)
-- ARGV[4] '1' when the queue is off (direct admission allowed)   ARGV[5] MaxActive   ARGV[6] expiry of a direct admission (ms)
-- Returns { ticket, state, position, isNew }: state 'waiting' (position = rank + 1) or 'active' (position 0).
-- From prelude.lua (LuaScripts.Load puts it in front): ticket_of.
local visitor = ARGV[1]
local now = tonumber(ARGV[3])

local waitingSeq = redis.call('ZSCORE', KEYS[4], visitor)
if waitingSeq then
  local existing = ticket_of(visitor, tonumber(waitingSeq))
  redis.call('ZADD', KEYS[6], now, existing)
  return { existing, 'waiting', redis.call('ZRANK', KEYS[4], visitor) + 1, 0 }
end
local admitted = redis.call('HGET', KEYS[1], visitor)
if admitted then
  if redis.call('ZSCORE', KEYS[5], admitted) then
    return { admitted, 'active', 0, 0 }
  end
  -- The admission is gone (expired, ended): forget it and join afresh.
  redis.call('HDEL', KEYS[1], visitor)
end

-- Queue off, nobody waiting, capacity left: straight in (strict FIFO is kept: nobody is passed over).
if ARGV[4] == '1' and redis.call('ZCARD', KEYS[4]) == 0 and redis.call('ZCARD', KEYS[5]) < tonumber(ARGV[5]) then
  local ticket = visitor .. '.d' .. ARGV[2]
  redis.call('HSET', KEYS[1], visitor, ticket)
  redis.call('ZADD', KEYS[5], ARGV[6], ticket)
  return { ticket, 'active', 0, 1 }
end

local seq = redis.call('INCR', KEYS[3])
local ticket = ticket_of(visitor, seq)
redis.call('ZADD', KEYS[4], seq, visitor)
-- The first join of each second marks it (NX: one write per second): admit.lua reads join times from here.
redis.call('ZADD', KEYS[2], 'NX', seq, string.format('%d', math.floor(now / 1000)))
redis.call('ZADD', KEYS[6], now, ticket)
return { ticket, 'waiting', redis.call('ZRANK', KEYS[4], visitor) + 1, 1 }
