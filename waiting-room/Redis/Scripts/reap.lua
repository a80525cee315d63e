-- Remove visitors unseen since the cutoff: they lose their place (waiting) or their slot (active).
-- KEYS[1] seen   KEYS[2] waiting   KEYS[3] active   KEYS[4] tickets   KEYS[5] visitors   KEYS[6] events
-- ARGV[1] now (ms)   ARGV[2] cutoff (ms): last seen at or before it means abandoned   ARGV[3] most to reap in this call
-- ARGV[4] events MAXLEN (approximate)   ARGV[5] notify channel (sharded: SPUBLISH)   ARGV[6] stats TTL (s)   KEYS[7] this minute's stats hash
-- KEYS[8] gone (zset ticket -> ms left)   KEYS[9] gone reasons (hash ticket -> why)
-- ARGV[7] departures left at or before this (ms) are forgotten (at most ARGV[3] of them per call)
-- Returns { reaped, freedActive }: one 'abandoned' event per reaped visitor.
local stale = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
local reaped, freed = 0, 0
for _, ticket in ipairs(stale) do
  redis.call('ZREM', KEYS[1], ticket)
  local wasWaiting = redis.call('ZREM', KEYS[2], ticket)
  local wasActive = redis.call('ZREM', KEYS[3], ticket)
  local info = redis.call('HGET', KEYS[4], ticket)
  local visitor = info and string.match(info, '^([^|]*)') or ''
  redis.call('HDEL', KEYS[4], ticket)
  if visitor ~= '' and redis.call('HGET', KEYS[5], visitor) == ticket then
    redis.call('HDEL', KEYS[5], visitor)
  end
  if wasWaiting == 1 or wasActive == 1 then
    redis.call('ZADD', KEYS[8], ARGV[1], ticket)
    redis.call('HSET', KEYS[9], ticket, 'abandoned')
    reaped = reaped + 1
    freed = freed + wasActive
    redis.call('XADD', KEYS[6], 'MAXLEN', '~', ARGV[4], '*', 'type', 'abandoned', 'visitor', visitor, 'ticket', ticket,
      'at', ARGV[1], 'reason', wasActive == 1 and 'active' or 'waiting')
  end
end
if reaped > 0 then
  redis.call('HINCRBY', KEYS[7], 'abandoned', reaped)
  redis.call('EXPIRE', KEYS[7], ARGV[6])
end
if freed > 0 then
  -- Capacity freed: every scheduler hears it and the lock holder admits at once.
  redis.call('SPUBLISH', ARGV[5], 'freed|' .. ARGV[1] .. '|' .. freed)
end
-- Departures old enough that nobody will come back to ask why.
local old = redis.call('ZRANGEBYSCORE', KEYS[8], '-inf', ARGV[7], 'LIMIT', 0, tonumber(ARGV[3]))
if #old > 0 then
  for first = 1, #old, 1000 do
    local last = math.min(first + 999, #old)
    redis.call('ZREM', KEYS[8], unpack(old, first, last))
    redis.call('HDEL', KEYS[9], unpack(old, first, last))
  end
end
return { reaped, freed }
