-- Join a room's queue. Idempotent per visitor: a visitor with a live ticket gets that ticket back.
-- A place costs two members, one in waiting and one in seen; the ticket names its visitor and sequence
-- ('<visitor>.<seq>', prelude.lua), the return URL rides in the signed ticket token, and the join time is kept per second
-- in joined, so nothing else is kept per waiting visitor.
-- KEYS[1] visitors (hash visitor -> ticket, of admitted visitors)   KEYS[2] joined (zset second -> first seq joined in it)
-- KEYS[3] seq (string)                        KEYS[4] waiting (zset visitor -> seq)
-- KEYS[5] active (zset ticket -> expiry ms)   KEYS[6] seen (zset ticket -> last seen ms)
-- ARGV[1] visitor id   ARGV[2] random part of a direct admission's ticket   ARGV[3] now (ms)
-- ARGV[4] '1' when the queue is off (direct admission allowed)   ARGV[5] MaxActive as configured   ARGV[6] expiry of a direct admission (ms)
-- KEYS[7] schedule (hash: the room's sale)   KEYS[8] pre-queue (zset visitor -> arrival number)   KEYS[9] frozen pre-queue
-- KEYS[10] inventory (hash: remaining, ...)   ARGV[7] AdmitPerSeat (a direct admission obeys admission's inventory bound)
-- ARGV[8] '1' when the room closes once sold out (WhenSoldOut = Close): with 0 seats left no new place is taken
-- ARGV[9] '0' when the room asks a credential for a new place (a proof of work, an invitation key) and the request brought
-- none: a held place is answered as ever, a new one is refused ({ '', 'needs', 0, 0 }), so a visitor who holds a place is
-- never asked again and the question costs this one call.
-- KEYS[11] the proof's used marker ('{wr:<room>}:proof:<challenge id>')   ARGV[10] its lifetime (ms), '' without a proof:
-- a new place redeems the proof in the same step (SET NX PX); one used before refuses it ({ '', 'replayed', 0, 0 }). A
-- visitor who already holds a place does not spend the proof.
-- KEYS[12] nets (zset network -> waiting places held from it)   KEYS[13] netof (hash visitor -> network, of those counted)
-- ARGV[11] the client's network ('' = not counted)   ARGV[12] MaxPlacesPerNetwork as configured ('0' = off): with the cap
-- in force above 0 (prelude.lua's network_cap: the operator's while set), a new waiting or pre-queue place (never a
-- direct admission) from a network that holds that many already is refused ({ '', 'netcap', 0, 0 }) before the proof is
-- spent; a place taken while it is on is counted (prelude.lua's count_network) until it ends.
-- KEYS[14] state (hash): its 'maxActive', the operator's cap set at runtime, overrides ARGV[5] (prelude.lua's
-- admission_cap), and its 'maxPlacesPerNetwork' ARGV[12]
-- Returns { ticket, state, position, isNew }: state 'waiting' (position = its place), 'active' (position 0) or, while a
-- scheduled sale's pre-queue is open, 'prequeue' (ticket '<visitor>.p', position = its arrival number, which its
-- receipt is made from with the sale's receipt key, the reply's fifth value, and the sale's start (ms) the sixth, while
-- the pre-queue is open: a proxy that has not read the new sale yet still tells it; the same on every join until the draw,
-- whenever the visitor arrived), or a refusal { '', reason, 0, 0 } when the visitor holds no place and may not take one:
-- 'needs' (no credential), 'soldout' (a closing room sold out), 'netcap' (too many places held from the client's
-- network), 'replayed' (the proof was used); those who hold a place
-- keep it: they are answered above.
-- The sale's phase is read here, in the join's own atomic step, never taken from a caller's cached view: a join just
-- after the start finds the pre-queue frozen (or freezes it) and takes a place behind everyone drawn.
-- From prelude.lua (LuaScripts.Load puts it in front): ticket_of, sale_phase, waiting_place, admission_cap, network_cap,
-- network_full, count_network.
local visitor = ARGV[1]
local now = tonumber(ARGV[3])
local sale = { schedule = KEYS[7], prequeue = KEYS[8], frozen = KEYS[9], seq = KEYS[3] }
local phase = sale_phase(sale, now)

local waitingSeq = redis.call('ZSCORE', KEYS[4], visitor)
if waitingSeq then
  local existing = ticket_of(visitor, tonumber(waitingSeq))
  redis.call('ZADD', KEYS[6], now, existing)
  return { existing, 'waiting', waiting_place(KEYS[4], visitor, tonumber(waitingSeq), phase), 0 }
end
local admitted = redis.call('HGET', KEYS[1], visitor)
if admitted then
  if redis.call('ZSCORE', KEYS[5], admitted) then
    return { admitted, 'active', 0, 0 }
  end
  -- The admission is gone (expired, ended): forget it and join afresh.
  redis.call('HDEL', KEYS[1], visitor)
end

local cap, remaining = admission_cap(KEYS[14], KEYS[10], ARGV[5], ARGV[7])
local closed = ARGV[8] == '1' and remaining == 0
local nets = { count = KEYS[12], of = KEYS[13] }
local netcap = ARGV[11] ~= '' and network_cap(KEYS[14], ARGV[12]) or 0
local capped = netcap > 0

-- What stands between this visitor and a new place, in order (the cheapest refusal first, and the proof spent last, so a
-- refusal for another reason never costs the visitor its work); nil when a new place may be taken. `waits`: the place
-- would be a waiting (or pre-queue) place, which the network cap counts; a direct admission is not.
local function refuse_new_place(waits)
  if ARGV[9] == '0' then
    return { '', 'needs', 0, 0 }
  end
  if closed then
    return { '', 'soldout', 0, 0 }
  end
  if waits and capped and network_full(nets, ARGV[11], netcap) then
    return { '', 'netcap', 0, 0 }
  end
  if ARGV[10] ~= '' and not redis.call('SET', KEYS[11], '1', 'NX', 'PX', ARGV[10]) then
    return { '', 'replayed', 0, 0 }
  end
  return nil
end

-- The pre-queue holds everyone without a place, whatever the traffic; a participant keeps its arrival number (and so its
-- receipt) until it is reaped. Once frozen, a participant keeps its pre-queue ticket until the draw places it.
if phase.phase == 'prequeue' then
  local pending = visitor .. '.p'
  local arrival = redis.call('ZSCORE', KEYS[8], visitor)
  local isNew = 0
  if not arrival then
    local refused = refuse_new_place(true)
    if refused then
      return refused
    end
    arrival = redis.call('HINCRBY', KEYS[7], 'arrivals', 1)
    redis.call('ZADD', KEYS[8], arrival, visitor)
    if capped then
      count_network(nets, visitor, ARGV[11])
    end
    isNew = 1
  end
  redis.call('ZADD', KEYS[6], now, pending)
  return { pending, 'prequeue', tonumber(arrival), isNew, redis.call('HGET', KEYS[7], 'receiptKey'), phase.starts }
end
if phase.phase == 'drawing' then
  local arrival = redis.call('ZSCORE', KEYS[9], visitor)
  if arrival then
    return { visitor .. '.p', 'prequeue', tonumber(arrival), 0, redis.call('HGET', KEYS[7], 'receiptKey') }
  end
end

-- Queue off, nobody waiting, capacity left (MaxActive, the operator's while set, and the inventory's bound): straight in (strict FIFO is kept:
-- nobody is passed over; nor is anyone being drawn).
local direct = phase.phase ~= 'drawing' and ARGV[4] == '1' and redis.call('ZCARD', KEYS[4]) == 0 and redis.call('ZCARD', KEYS[5]) < cap
local refused = refuse_new_place(not direct)
if refused then
  return refused
end

if direct then
  local ticket = visitor .. '.d' .. ARGV[2]
  redis.call('HSET', KEYS[1], visitor, ticket)
  redis.call('ZADD', KEYS[5], ARGV[6], ticket)
  return { ticket, 'active', 0, 1 }
end

local seq = redis.call('INCR', KEYS[3])
local ticket = ticket_of(visitor, seq)
redis.call('ZADD', KEYS[4], seq, visitor)
if capped then
  count_network(nets, visitor, ARGV[11])
end
-- The first join of each second marks it (NX: one write per second): admit.lua reads join times from here.
redis.call('ZADD', KEYS[2], 'NX', seq, string.format('%d', math.floor(now / 1000)))
redis.call('ZADD', KEYS[6], now, ticket)
return { ticket, 'waiting', waiting_place(KEYS[4], visitor, seq, phase), 1 }
