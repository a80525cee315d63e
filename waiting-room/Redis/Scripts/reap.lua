-- Remove visitors unseen since the cutoff: they lose their place (waiting) or their slot (active).
-- KEYS[1] seen   KEYS[2] waiting   KEYS[3] active   KEYS[4] tickets   KEYS[5] visitors   KEYS[6] events
-- ARGV[1] now (ms)   ARGV[2] cutoff (ms): last seen at or before it means abandoned   ARGV[3] most to reap in this call
-- ARGV[4] events MAXLEN (approximate)   ARGV[5] notify channel (sharded: SPUBLISH)   ARGV[6] stats TTL (s)   KEYS[7] this minute's stats hash
-- KEYS[8] gone (zset ticket -> ms left)   KEYS[9] gone reasons (hash ticket -> why)
-- KEYS[10] revoked (zset ticket -> ms its admission ended; scores never go backwards)
-- ARGV[7] departures (gone and revoked) left at or before this (ms) are forgotten (at most ARGV[3] of each per call)
-- KEYS[11] state   KEYS[12] departed (zset sequence -> sequence: waiting tickets that left from the middle)
-- Returns { reaped, freedActive }: one 'abandoned' event per reaped visitor ('seq' on those that were waiting).
-- Publishes 'freed|<ms>|<n>' and 'revoked|<ms>|t1,t2,...' when admitted visitors were reaped.
-- From prelude.lua (LuaScripts.Load puts it in front): depart, leave_waiting, departed_count, forget_ticket, revoke, tally,
-- notice, call_chunked.
local stale = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
local room = {
  tickets = KEYS[4], visitors = KEYS[5], gone = KEYS[8], goneWhy = KEYS[9], events = KEYS[6], eventsMaxLen = ARGV[4],
}
local reaped, freed, left = 0, 0, 0
local revoked = {}
for _, ticket in ipairs(stale) do
  redis.call('ZREM', KEYS[1], ticket)
  local seq = leave_waiting(KEYS[2], KEYS[12], ticket)
  local wasActive = redis.call('ZREM', KEYS[3], ticket)
  if seq then
    left = left + 1
  end
  if seq or wasActive == 1 then
    depart(room, ticket, 'abandoned', ARGV[1], wasActive == 1 and 'active' or 'waiting', seq)
    reaped = reaped + 1
    freed = freed + wasActive
    if wasActive == 1 then
      revoked[#revoked + 1] = ticket
    end
  else
    -- Seen but holding no place: only its record is left to drop.
    forget_ticket(KEYS[4], KEYS[5], ticket)
  end
end
departed_count(KEYS[11], left)
if reaped > 0 then
  tally(KEYS[7], ARGV[6], 'abandoned', reaped)
end
if freed > 0 then
  -- Capacity freed: every scheduler hears it and the lock holder admits at once.
  redis.call('SPUBLISH', ARGV[5], notice('freed', ARGV[1], freed))
  revoke(KEYS[10], ARGV[5], revoked, ARGV[1])
end
-- Departures old enough that nobody will come back to ask why.
local old = redis.call('ZRANGEBYSCORE', KEYS[8], '-inf', ARGV[7], 'LIMIT', 0, tonumber(ARGV[3]))
call_chunked('ZREM', KEYS[8], old)
call_chunked('HDEL', KEYS[9], old)
local oldRevoked = redis.call('ZRANGEBYSCORE', KEYS[10], '-inf', ARGV[7], 'LIMIT', 0, tonumber(ARGV[3]))
call_chunked('ZREM', KEYS[10], oldRevoked)
return { reaped, freed }
