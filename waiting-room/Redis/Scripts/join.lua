-- Join a room's queue. Idempotent per visitor: a visitor with a live ticket gets that ticket back.
-- KEYS[1] visitors (hash visitor -> ticket)   KEYS[2] tickets (hash ticket -> "visitor|createdMs|returnUrl")
-- KEYS[3] seq (string)                        KEYS[4] waiting (zset ticket -> seq)
-- KEYS[5] active (zset ticket -> expiry ms)   KEYS[6] seen (zset ticket -> last seen ms)
-- ARGV[1] visitor id   ARGV[2] ticket id to use if a new one is needed   ARGV[3] now (ms)   ARGV[4] return URL
-- ARGV[5] '1' when the queue is off (direct admission allowed)   ARGV[6] MaxActive   ARGV[7] expiry of a direct admission (ms)
-- Returns { ticket, state, position, isNew }: state 'waiting' (position = rank + 1) or 'active' (position 0).
-- From prelude.lua (LuaScripts.Load puts it in front): ticket_record.
local visitor = ARGV[1]
local now = tonumber(ARGV[3])

local existing = redis.call('HGET', KEYS[1], visitor)
if existing then
  local rank = redis.call('ZRANK', KEYS[4], existing)
  if rank then
    redis.call('ZADD', KEYS[6], now, existing)
    return { existing, 'waiting', rank + 1, 0 }
  end
  if redis.call('ZSCORE', KEYS[5], existing) then
    return { existing, 'active', 0, 0 }
  end
  -- The ticket is gone (reaped, expired, ended): forget it and join afresh.
  redis.call('HDEL', KEYS[1], visitor)
  redis.call('HDEL', KEYS[2], existing)
end

local ticket = ARGV[2]
redis.call('HSET', KEYS[1], visitor, ticket)
redis.call('HSET', KEYS[2], ticket, ticket_record(visitor, ARGV[3], ARGV[4]))

-- Queue off, nobody waiting, capacity left: straight in (strict FIFO is kept: nobody is passed over).
if ARGV[5] == '1' and redis.call('ZCARD', KEYS[4]) == 0 and redis.call('ZCARD', KEYS[5]) < tonumber(ARGV[6]) then
  redis.call('ZADD', KEYS[5], ARGV[7], ticket)
  return { ticket, 'active', 0, 1 }
end

local seq = redis.call('INCR', KEYS[3])
redis.call('ZADD', KEYS[4], seq, ticket)
redis.call('ZADD', KEYS[6], now, ticket)
return { ticket, 'waiting', redis.call('ZRANK', KEYS[4], ticket) + 1, 1 }
