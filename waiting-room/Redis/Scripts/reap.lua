-- Remove visitors unseen since the cutoff: they lose their place (waiting) or their slot (active).
-- KEYS[1] seen (waiting places)   KEYS[2] waiting (zset visitor -> seq)   KEYS[3] active   KEYS[4] visitors (hash visitor -> admitted ticket)
-- KEYS[5] events
-- ARGV[1] now (ms)   ARGV[2] cutoff (ms): last seen at or before it means abandoned   ARGV[3] most to reap in this call
-- ARGV[4] events MAXLEN (approximate)   ARGV[5] notify channel (sharded: SPUBLISH)   ARGV[6] stats TTL (s)   KEYS[6] this minute's stats hash
-- KEYS[7] gone (zset ticket -> ms left)   KEYS[8] gone reasons (hash ticket -> why)
-- KEYS[9] revoked (zset ticket -> ms its admission ended; scores never go backwards)   KEYS[10] active:seen (zset ticket -> ms)
-- ARGV[7] departures (gone and revoked) left at or before this (ms) are forgotten (at most ARGV[3] of each per call)
-- KEYS[11] state   KEYS[12] departed (zset sequence -> sequence: waiting tickets that left from the middle)
-- KEYS[13] schedule (hash: the room's sale)   KEYS[14] pre-queue (zset visitor -> arrival number)
-- KEYS[15] nets (zset network -> waiting places)   KEYS[16] netof (hash visitor -> network): a reaped waiting or pre-queue
-- place is released from its network's count (prelude.lua's release_networks)   ARGV[8] MaxPlacesPerNetwork as configured:
-- with the cap in force above 0 (prelude.lua's network_cap: the operator's while set, from KEYS[11]), the networks
-- holding that many places are counted for the reply (one ZCOUNT, O(log N): the gauge costs no scan)
-- A pre-queue participant ('<visitor>.p') unseen since the cutoff loses its place in the pre-queue, and so its receipt
-- (one 'abandoned' event, reason 'prequeue'); the frozen pre-queue is never reaped (the draw takes it whole). Once drawn,
-- a pre-queue ticket's old heartbeat stands for its drawn place only if that place was never seen since the draw.
-- Returns { reaped, freedActive, networksAtCap }: one 'abandoned' event per reaped visitor ('seq' on those that were waiting).
-- Publishes 'freed|<ms>|<n>' and 'revoked|<ms>|t1,t2,...' when admitted visitors were reaped.
-- From prelude.lua (LuaScripts.Load puts it in front): depart, leave_waiting, departed_count, forget_ticket, revoke, tally,
-- notice, call_chunked, ticket_parts, ticket_of, drawn_ticket,
-- sale_state_of, pending_visitor, release_networks, network_cap.
local room = {
  visitors = KEYS[4], gone = KEYS[7], goneWhy = KEYS[8], events = KEYS[5], eventsMaxLen = ARGV[4],
}
local reaped, freed, left = 0, 0, 0
local revoked = {}
local released = {}
-- Waiting places unseen since the cutoff. A ticket admitted since is left alone (active:seen watches it): only its
-- waiting heartbeat goes, which admit.lua leaves here.
local stale = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
local sale = { waiting = KEYS[2], visitors = KEYS[4] }
local sale_state = nil
for _, stale_ticket in ipairs(stale) do
  local ticket = stale_ticket
  local visitor = pending_visitor(ticket)
  local pending = visitor ~= nil
  if pending then
    sale_state = sale_state or sale_state_of(KEYS[13])
  end
  if pending and sale_state.phase == 'drawing' then
    -- Frozen for the draw: its heartbeat stays until the draw places it (then it stands for the drawn place).
    ticket = nil
  else
    redis.call('ZREM', KEYS[1], stale_ticket)
    if pending then
      ticket = nil
      if redis.call('ZREM', KEYS[14], visitor) == 1 then
        released[#released + 1] = depart(room, stale_ticket, 'abandoned', ARGV[1], 'prequeue')
        reaped = reaped + 1
      else
        local placed = drawn_ticket(sale, visitor, sale_state)
        if placed and not redis.call('ZSCORE', KEYS[1], placed) then
          ticket = placed
        end
      end
    end
  end
  local seq = ticket and leave_waiting(KEYS[2], KEYS[12], ticket)
  if seq then
    left = left + 1
    released[#released + 1] = depart(room, ticket, 'abandoned', ARGV[1], 'waiting', seq)
    reaped = reaped + 1
  end
end
-- Admitted visitors unseen since the cutoff (watched from their first keep-alive on the site: touch.lua).
local staleActive = redis.call('ZRANGEBYSCORE', KEYS[10], '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
for _, ticket in ipairs(staleActive) do
  redis.call('ZREM', KEYS[10], ticket)
  if redis.call('ZREM', KEYS[3], ticket) == 1 then
    depart(room, ticket, 'abandoned', ARGV[1], 'active')
    reaped = reaped + 1
    freed = freed + 1
    revoked[#revoked + 1] = ticket
  else
    -- Seen but holding no place: only its visitor pointer may be left to drop.
    forget_ticket(KEYS[4], ticket)
  end
end
departed_count(KEYS[11], left)
release_networks({ count = KEYS[15], of = KEYS[16] }, released)
if reaped > 0 then
  tally(KEYS[6], ARGV[6], 'abandoned', reaped)
end
if freed > 0 then
  -- Capacity freed: every scheduler hears it and the lock holder admits at once.
  redis.call('SPUBLISH', ARGV[5], notice('freed', ARGV[1], freed))
  revoke(KEYS[9], ARGV[5], revoked, ARGV[1])
end
-- Departures old enough that nobody will come back to ask why.
local old = redis.call('ZRANGEBYSCORE', KEYS[7], '-inf', ARGV[7], 'LIMIT', 0, tonumber(ARGV[3]))
call_chunked('ZREM', KEYS[7], old)
call_chunked('HDEL', KEYS[8], old)
local oldRevoked = redis.call('ZRANGEBYSCORE', KEYS[9], '-inf', ARGV[7], 'LIMIT', 0, tonumber(ARGV[3]))
call_chunked('ZREM', KEYS[9], oldRevoked)
local atCap = 0
local netcap = network_cap(KEYS[11], ARGV[8])
if netcap > 0 then
  atCap = redis.call('ZCOUNT', KEYS[15], netcap, '+inf')
end
return { reaped, freed, atCap }
