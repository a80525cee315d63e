-- Remove visitors unseen since the cutoff: they lose their place (waiting) or their slot (active).
-- KEYS[1] seen   KEYS[2] waiting   KEYS[3] active   KEYS[4] tickets   KEYS[5] visitors   KEYS[6] events
-- ARGV[1] now (ms)   ARGV[2] cutoff (ms): last seen at or before it means abandoned   ARGV[3] most to reap in this call
-- ARGV[4] events MAXLEN (approximate)   ARGV[5] notify channel (sharded: SPUBLISH)   ARGV[6] stats TTL (s)   KEYS[7] this minute's stats hash
-- KEYS[8] gone (zset ticket -> ms left)   KEYS[9] gone reasons (hash ticket -> why)
-- KEYS[10] revoked (zset ticket -> ms its admission ended; scores never go backwards)
-- ARGV[7] departures (gone and revoked) left at or before this (ms) are forgotten (at most ARGV[3] of each per call)
-- Returns { reaped, freedActive }: one 'abandoned' event per reaped visitor.
-- Publishes 'freed|<ms>|<n>' and 'revoked|<ms>|t1,t2,...' when admitted visitors were reaped.
local stale = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
local reaped, freed = 0, 0
local revoked = {}
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
    if wasActive == 1 then
      revoked[#revoked + 1] = ticket
    end
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
  local newest = redis.call('ZRANGE', KEYS[10], -1, -1, 'WITHSCORES')
  local at = tonumber(ARGV[1])
  if newest[2] and tonumber(newest[2]) > at then
    at = tonumber(newest[2])
  end
  for first = 1, #revoked, 1000 do
    local chunk = {}
    for i = first, math.min(first + 999, #revoked) do
      chunk[#chunk + 1] = at
      chunk[#chunk + 1] = revoked[i]
    end
    redis.call('ZADD', KEYS[10], unpack(chunk))
  end
  redis.call('SPUBLISH', ARGV[5], 'revoked|' .. string.format('%d', at) .. '|' .. table.concat(revoked, ','))
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
local oldRevoked = redis.call('ZRANGEBYSCORE', KEYS[10], '-inf', ARGV[7], 'LIMIT', 0, tonumber(ARGV[3]))
for first = 1, #oldRevoked, 1000 do
  redis.call('ZREM', KEYS[10], unpack(oldRevoked, first, math.min(first + 999, #oldRevoked)))
end
return { reaped, freed }
