-- The room's Lua library: what the scripts share, written once. LuaScripts.Load puts this file in front of each
-- script that uses it, so each stays one EVAL/EVALSHA script whose own KEYS/ARGV header follows this library.
-- Why a prelude and not a Redis 7 function library (FUNCTION LOAD REPLACE): a script carries its library inside its
-- SHA, so StackExchange.Redis's NOSCRIPT fallback restores both by itself after a restart, a failover or SCRIPT FLUSH,
-- on whichever node (or cluster shard) runs it, with nothing to load on connect; and during a rolling deploy old and
-- new processes each run the library they were built with, where one FUNCTION LOAD REPLACE would change it under the
-- other's callers. The price: each call makes these closures again (about a microsecond on Redis 7.0), which is why
-- a script that calls none of them (limit, deliver, redeem: per request or per tick) goes without; and
-- a line number in a script's error counts this file's lines first.
-- Local functions only: Redis refuses to create globals.
--
-- Notify messages, published with SPUBLISH on the room's sharded channel and all written by notice() below (the C#
-- codec Protocol/RoomNotice.cs documents, formats and parses the same; <ms> is Unix time in whole milliseconds):
--   admitted|<ms>|t1,t2,...   a batch was admitted, oldest first (admit.lua)
--   freed|<ms>|<n>            n active sessions ended: capacity for the scheduler (end-session.lua, reap.lua)
--   revoked|<ms>|t1,t2,...    these admissions ended: every proxy refuses their cookies (admit, end-session, reap)
--   state|<version>           the switch state changed: read it again (write-state.lua)
--   sale|<ms>                 the scheduled sale changed: read it again (schedule-event.lua, draw-swap.lua)
--   stock|<ms>                the room became sold out, or stopped being: read the inventory again (inventory.lua)

-- Members per command in the chunked loops: one command per thousand, not one per member, and within the stack limit
-- of unpack.
local CHUNK = 1000

-- redis.call(command, key, members...) in chunks, e.g. ZREM or HDEL of many members.
local function call_chunked(command, key, members)
  for first = 1, #members, CHUNK do
    redis.call(command, key, unpack(members, first, math.min(first + CHUNK - 1, #members)))
  end
end

-- ZADD of many members, all at one score, in chunks.
local function zadd_chunked(key, score, members)
  for first = 1, #members, CHUNK do
    local args = {}
    for i = first, math.min(first + CHUNK - 1, #members) do
      args[#args + 1] = score
      args[#args + 1] = members[i]
    end
    redis.call('ZADD', key, unpack(args))
  end
end

-- Adds n to a field of this minute's stats hash, which lives ttl seconds.
local function tally(stats, ttl, field, n)
  redis.call('HINCRBY', stats, field, n)
  redis.call('EXPIRE', stats, ttl)
end

-- The one writer of the notify format: kind|<number>|payload, or kind|<number> without a payload; the number is the
-- time (ms) of admitted, freed and revoked, and the version of state.
local function notice(kind, number, payload)
  local message = kind .. '|' .. string.format('%d', number)
  if payload ~= nil then
    message = message .. '|' .. payload
  end
  return message
end

-- Ticket ids (their C# codec: Queue/TicketIds.cs): '<visitor>.<seq>' for a place taken in the queue, seq being its
-- sequence (its score in waiting, which is keyed by visitor), and '<visitor>.d<random>' for a direct admission (queue
-- off). The visitor is everything before the last '.': a ticket names its visitor, so the room keeps no record per ticket.
local function ticket_of(visitor, seq)
  return visitor .. '.' .. string.format('%d', seq)
end

-- The visitor of a ticket ('' when it is not a ticket id) and its sequence (nil for a direct admission's ticket).
local function ticket_parts(ticket)
  local visitor, suffix = string.match(ticket, '^(.+)%.([^.]+)$')
  if not visitor then
    return '', nil
  end
  return visitor, string.match(suffix, '^%d+$') and tonumber(suffix) or nil
end

-- Whether the ticket holds its place in waiting (zset visitor -> seq) now: its visitor waits under its sequence.
local function is_waiting(waiting, ticket)
  local visitor, seq = ticket_parts(ticket)
  return seq ~= nil and tonumber(redis.call('ZSCORE', waiting, visitor) or '') == seq
end

-- A departing ticket's visitor pointer (visitors: visitor -> admitted ticket) goes unless it names another ticket (the
-- visitor has joined afresh since). Returns the visitor ('' when the ticket is not a ticket id).
local function forget_ticket(visitors, ticket)
  local visitor = ticket_parts(ticket)
  if visitor ~= '' and redis.call('HGET', visitors, visitor) == ticket then
    redis.call('HDEL', visitors, visitor)
  end
  return visitor
end

-- A waiting ticket leaves from the middle of the queue (admission pops the front; everything else is a departure from
-- the middle): it leaves waiting, and its sequence is kept in departed (sequence -> sequence) until admission passes
-- it. With the front (the lowest waiting sequence - 1) and these, anyone computes every place without a ZRANK each:
--   place(seq) = seq - front - #{ departed d : front < d <= seq }
-- (positions.lua serves it to the hubs; Queue/PositionBook.cs computes it). The caller adds the departures it made to
-- the state's 'departed' count (departed_count), and passes the sequence to depart() for its event.
-- Returns the ticket's sequence (a string), or nil when it was not waiting.
local function leave_waiting(waiting, departed, ticket)
  if not is_waiting(waiting, ticket) then
    return nil
  end
  local visitor, seq = ticket_parts(ticket)
  redis.call('ZREM', waiting, visitor)
  redis.call('ZADD', departed, seq, seq)
  return string.format('%d', seq)
end

-- Counts n departures from the middle in the state hash ('departed', never reset but by a room reset): a hub that
-- followed the events stream and counted fewer knows it missed some (the stream is capped) and reads departed anew.
local function departed_count(state, n)
  if n > 0 then
    redis.call('HINCRBY', state, 'departed', n)
  end
end

-- A ticket the caller has taken out of waiting, active and seen leaves the room for `why` ('expired', 'ended' or
-- 'abandoned'): its visitor pointer is forgotten, the departure kept in gone (ticket -> now) and gone:why (ticket -> why)
-- for a visitor who comes back to ask, and one event of type `why` is appended, with `detail` as its 'reason' when given
-- and `seq` as its 'seq' when it left the waiting line (leave_waiting).
-- room = { visitors, gone, goneWhy, events, eventsMaxLen } names the keys. Returns the visitor.
local function depart(room, ticket, why, now, detail, seq)
  local visitor = forget_ticket(room.visitors, ticket)
  redis.call('ZADD', room.gone, now, ticket)
  redis.call('HSET', room.goneWhy, ticket, why)
  local event = { 'type', why, 'visitor', visitor, 'ticket', ticket, 'at', now }
  if detail ~= nil then
    event[#event + 1] = 'reason'
    event[#event + 1] = detail
  end
  if seq ~= nil then
    event[#event + 1] = 'seq'
    event[#event + 1] = seq
  end
  redis.call('XADD', room.events, 'MAXLEN', '~', room.eventsMaxLen, '*', unpack(event))
  return visitor
end

-- These admissions ended: every proxy must refuse their cookies. They are logged in `revoked` at now, or at the newest
-- time already logged when that is later, so its scores never go backwards and a poller reading on from the last time
-- it saw misses nothing even when this writer's clock is behind; then published as 'revoked|<ms>|t1,t2,...'.
-- Returns the time logged (nil when there was nothing to revoke).
local function revoke(revoked, channel, tickets, now)
  if #tickets == 0 then
    return nil
  end
  local at = tonumber(now)
  local newest = redis.call('ZRANGE', revoked, -1, -1, 'WITHSCORES')
  if newest[2] and tonumber(newest[2]) > at then
    at = tonumber(newest[2])
  end
  zadd_chunked(revoked, at, tickets)
  redis.call('SPUBLISH', channel, notice('revoked', at, table.concat(tickets, ',')))
  return at
end


-- A scheduled sale (Scheduling/EventStore.cs writes its hash; SaleDraw.cs draws it). sale = { schedule, prequeue,
-- frozen, seq, waiting, visitors } names its keys: the schedule hash (prequeueOpensAt, startsAt in ms; once frozen
-- frozenAt, firstSeq, participants; once drawn drawnAt), the pre-queue (zset visitor -> arrival number, from the
-- schedule's 'arrivals' counter; a participant's receipt is a keyed bijection of it, Scheduling/Receipts.cs), the
-- frozen pre-queue the draw reads, the ticket sequence, waiting and the admitted visitors' pointers.
-- Pre-queue tickets are '<visitor>.p': no sequence until the draw gives the visitor one (drawn_ticket).

-- Where the sale stands at now: { phase, first, participants } with phase 'none' (no sale, or its pre-queue not open
-- yet: the room works as without one), 'prequeue', 'drawing' (frozen: the participants hold the sequences first ..
-- first + participants - 1, being drawn) or 'drawn'. At the start, whoever comes first (a join, the drawer) freezes the
-- pre-queue, in this same atomic step: it is renamed aside and the participants' sequences are reserved, so everyone who
-- joins after the start takes a sequence behind all of them.
local function sale_phase(sale, now)
  local f = redis.call('HMGET', sale.schedule, 'prequeueOpensAt', 'startsAt', 'frozenAt', 'drawnAt', 'firstSeq', 'participants')
  if not f[1] then
    return { phase = 'none' }
  end
  if f[3] then
    return { phase = f[4] and 'drawn' or 'drawing', first = tonumber(f[5]), participants = tonumber(f[6]) }
  end
  if now < tonumber(f[1]) then
    return { phase = 'none' }
  end
  if now < tonumber(f[2]) then
    return { phase = 'prequeue', starts = f[2] }
  end
  local n = redis.call('ZCARD', sale.prequeue)
  if n > 0 then
    redis.call('RENAME', sale.prequeue, sale.frozen)
  end
  local first = redis.call('INCRBY', sale.seq, n) - n + 1
  redis.call('HSET', sale.schedule, 'frozenAt', string.format('%d', now), 'firstSeq', first, 'participants', n)
  return { phase = 'drawing', first = first, participants = n }
end

-- The sale as the read-only scripts see it (status, touch, reap): { phase, first, participants } with phase 'none' (not
-- frozen: nothing drawn or being drawn), 'drawing' or 'drawn'. Unlike sale_phase it never freezes (that is the join's or
-- the drawer's).
local function sale_state_of(schedule)
  local f = redis.call('HMGET', schedule, 'frozenAt', 'drawnAt', 'firstSeq', 'participants')
  if not f[1] then
    return { phase = 'none' }
  end
  return { phase = f[2] and 'drawn' or 'drawing', first = tonumber(f[3]), participants = tonumber(f[4]) }
end

-- The visitor of a pre-queue ticket ('<visitor>.p'), nil for any other ticket.
local function pending_visitor(ticket)
  local visitor, seq = ticket_parts(ticket)
  if visitor ~= '' and seq == nil and string.sub(ticket, -2) == '.p' then
    return visitor
  end
  return nil
end

-- A waiting visitor's place: ZRANK + 1, plus, while the draw runs, the participants being drawn ahead of a visitor who
-- joined after the start (they take the sequences between the front and it when the drawn order is swapped in).
local function waiting_place(waiting, visitor, seq, sale_state)
  local place = redis.call('ZRANK', waiting, visitor) + 1
  if sale_state.phase == 'drawing' and seq >= sale_state.first then
    place = place + sale_state.participants
  end
  return place
end

-- The ticket of the place the draw gave the visitor of a pre-queue ticket: '<visitor>.<seq>' while it waits under a
-- drawn sequence, or its admission's ticket when that was a drawn one; nil when it holds no drawn place (not drawn,
-- left since, or joined afresh after the draw, which is another place).
local function drawn_ticket(sale, visitor, sale_state)
  if sale_state.phase ~= 'drawn' then
    return nil
  end
  local first, last = sale_state.first, sale_state.first + sale_state.participants - 1
  local seq = tonumber(redis.call('ZSCORE', sale.waiting, visitor) or '')
  if seq and seq >= first and seq <= last then
    return ticket_of(visitor, seq)
  end
  local admitted = redis.call('HGET', sale.visitors, visitor)
  if admitted then
    local _, admittedSeq = ticket_parts(admitted)
    if admittedSeq and admittedSeq >= first and admittedSeq <= last then
      return admitted
    end
  end
  return nil
end

-- The most visitors the room may have active: MaxActive (the operator's, the state hash's 'maxActive', while one is set;
-- else the configured max_active), and with an inventory known and AdmitPerSeat above 0 no more than
-- ceil(AdmitPerSeat x remaining) (less a hair, so a product a float rounds above a whole number, 1.1 x 10, does not let
-- one more in). Admission (admit.lua) and a direct admission at the join (join.lua) obey the same bound. An operator's
-- value that is not a whole number (digits only) from 0 to MAX_ACTIVE_LIMIT (RoomOptions.MaxActiveLimit) is ignored (the
-- configured one holds), as the C# reader (SwitchStore.ParseMaxActive) ignores it; 0 admits no one new.
local MAX_ACTIVE_LIMIT = 10000000
local function admission_cap(state, inventory, max_active, per_seat)
  local cap = tonumber(max_active)
  local override = redis.call('HGET', state, 'maxActive')
  if override and string.match(override, '^%d+$') and tonumber(override) <= MAX_ACTIVE_LIMIT then
    cap = tonumber(override)
  end
  local seats = tonumber(per_seat)
  local remaining = tonumber(redis.call('HGET', inventory, 'remaining') or '')
  if remaining and seats > 0 then
    local bound = math.ceil(seats * remaining - 1e-9)
    if bound < cap then
      cap = bound
    end
  end
  return cap, remaining
end

-- Per-network caps on waiting places (RoomOptions.MaxPlacesPerNetwork). nets = { count, of } names the keys: count (zset
-- network -> waiting places held from it: the pre-queue's and the queue's, never a direct admission) and of (hash
-- visitor -> network, of the visitors counted). A visitor is counted at most once (HSETNX), so a network's count is the
-- number of its visitors in `of`: every way a place ends (admitted, reaped, left) releases it with release_networks,
-- which only releases what `of` holds, so a release is never counted twice and no count goes below zero. A pre-queue
-- participant stays counted under its visitor when the draw places it (the draw places every frozen participant).
-- A sorted set rather than a hash for the counts: the busiest networks and how many are at the cap are then one
-- bounded read each (ZREVRANGE, ZCOUNT), for a join's price of a ZSCORE and a ZINCRBY.

-- The most waiting places per network in force (0: the cap is off): the operator's, the state hash's
-- 'maxPlacesPerNetwork', while one is set, else the configured `configured`. An operator's value that is not a whole
-- number (digits only) from 0 to NETWORK_CAP_LIMIT (RoomOptions.MaxPlacesPerNetworkLimit) is ignored, as the C# reader
-- (SwitchStore.ParseLimit) ignores it. The join counts places only while it is above 0.
local NETWORK_CAP_LIMIT = 1000000
local function network_cap(state, configured)
  local override = redis.call('HGET', state, 'maxPlacesPerNetwork')
  if override and string.match(override, '^%d+$') and tonumber(override) <= NETWORK_CAP_LIMIT then
    return tonumber(override)
  end
  return tonumber(configured)
end

-- Whether `network` holds max places or more.
local function network_full(nets, network, max)
  return tonumber(redis.call('ZSCORE', nets.count, network) or '0') >= tonumber(max)
end

-- The visitor took a waiting place from `network`: counted once.
local function count_network(nets, visitor, network)
  if redis.call('HSETNX', nets.of, visitor, network) == 1 then
    redis.call('ZINCRBY', nets.count, 1, network)
  end
end

-- These visitors' places ended: each counted one is released once (one HMGET and HDEL per chunk, one ZINCRBY per
-- network); a network's count that reaches 0 goes. Visitors not counted (the cap off, a direct admission) cost nothing
-- but the chunk's HMGET, and nothing at all while nobody is counted.
local function release_networks(nets, visitors)
  if #visitors == 0 or redis.call('EXISTS', nets.of) == 0 then
    return
  end
  local released = {}
  for first = 1, #visitors, CHUNK do
    local last = math.min(first + CHUNK - 1, #visitors)
    local networks = redis.call('HMGET', nets.of, unpack(visitors, first, last))
    local counted = {}
    for i = 1, #networks do
      local network = networks[i]
      if network then
        counted[#counted + 1] = visitors[first + i - 1]
        released[network] = (released[network] or 0) + 1
      end
    end
    if #counted > 0 then
      redis.call('HDEL', nets.of, unpack(counted))
    end
  end
  for network, n in pairs(released) do
    if tonumber(redis.call('ZINCRBY', nets.count, -n, network)) <= 0 then
      redis.call('ZREM', nets.count, network)
    end
  end
end
