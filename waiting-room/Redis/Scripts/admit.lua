-- Admit the next batch: strict FIFO, never above MaxActive (the operator's while set, else the configured), one atomic step.
-- KEYS[1] waiting (zset visitor -> seq)   KEYS[2] active   KEYS[3] active:seen (zset ticket -> last seen ms, of admitted ones)
-- KEYS[4] joined (zset second -> first seq joined in it)
-- KEYS[5] visitors (hash visitor -> admitted ticket)   KEYS[6] events
-- KEYS[7] state (fencing, admission bookkeeping; its 'maxActive', the operator's cap set at runtime, overrides ARGV[2];
-- its 'mode' Paused, an operator's, admits no one)
-- KEYS[8] this minute's stats hash   KEYS[9] gone (zset ticket -> ms left)   KEYS[10] gone reasons (hash ticket -> why)
-- KEYS[11] revoked (zset ticket -> ms its admission ended; scores never go backwards)
-- ARGV[1] now (ms)   ARGV[2] MaxActive as configured
-- ARGV[3] deadline of the newly admitted until their admission is delivered (ms); delivery (deliver.lua) restarts the
--         claim window from the moment the visitor is told
-- ARGV[4] fencing token of the caller's lock grant   ARGV[5] notify channel (sharded: SPUBLISH)   ARGV[6] events MAXLEN (approximate)
-- ARGV[7] most to admit in this call (0 = as many as capacity allows)   ARGV[8] most expired sessions to drop in this call
-- ARGV[9] stats TTL (s)   ARGV[10] time constant of the admission-rate average (ms)
-- ARGV[11] wait-histogram bucket bounds (s), comma-separated, ascending (a last, open bucket is implied)
-- ARGV[12] the admission interval (ms): the time a first batch is taken to have covered
-- KEYS[12] departed (zset sequence -> sequence of waiting tickets that left from the middle): those the batch passed go
-- KEYS[13] schedule (hash: the room's sale): while its draw runs (frozen, not yet drawn) nobody is admitted, as the
-- participants being drawn stand ahead of everyone who joined after the start
-- KEYS[14] inventory (hash: remaining, ...)   ARGV[13] AdmitPerSeat: with an inventory known and this above 0, the
-- active never exceed ceil(AdmitPerSeat * remaining) (0 remaining: nobody is admitted), on top of MaxActive
-- KEYS[15] nets (zset network -> waiting places)   KEYS[16] netof (hash visitor -> network): the admitted visitors' places
-- are released from their networks' counts (prelude.lua's release_networks; nothing to do while nobody is counted)
-- Returns { admitted, expired, fenced, waiting, active, tickets (comma-separated), wait buckets "count:sumMs,..." }.
-- Publishes 'revoked|<ms>|t1,t2,...' for the expired sessions (every proxy refuses their cookies) and
-- 'admitted|<ms>|t1,t2,...' for the batch.
-- fenced = 1: a newer lock holder already admitted; this (late, paused) caller changed nothing.
-- Per admitted visitor it pops, adds to active and sets the visitor's pointer; the rest is per batch. The waiting heartbeat
-- (seen) of an admitted ticket is left for the reaper to drop (reap.lua): no removal from a million-member set here.
-- From prelude.lua (LuaScripts.Load puts it in front): depart, revoke, tally, notice, call_chunked, zadd_chunked,
-- admission_cap, release_networks.
local now = tonumber(ARGV[1])

local fence = tonumber(ARGV[4])
local accepted = tonumber(redis.call('HGET', KEYS[7], 'fence') or '0')
if fence < accepted then
  return { 0, 0, 1, redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2]), '', '' }
end

-- An operator's Paused, read here from the state's 'mode' and not taken from the caller, whose snapshot may be a poll
-- behind the change: nobody is admitted and nothing changes. (A configured Paused is every instance's own setting.)
local mode = redis.call('HGET', KEYS[7], 'mode')
if mode and string.lower(mode) == 'paused' then
  return { 0, 0, 0, redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2]), '', '' }
end
redis.call('HSET', KEYS[7], 'fence', fence)

-- 1. Sessions past their expiry leave, each with an event (the backend releases their holds).
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, tonumber(ARGV[8]))
call_chunked('ZREM', KEYS[2], expired)
call_chunked('ZREM', KEYS[3], expired)
local room = {
  visitors = KEYS[5], gone = KEYS[9], goneWhy = KEYS[10], events = KEYS[6], eventsMaxLen = ARGV[6],
}
for _, ticket in ipairs(expired) do
  depart(room, ticket, 'expired', now)
end
if #expired > 0 then
  tally(KEYS[8], ARGV[9], 'expired', #expired)
  revoke(KEYS[11], ARGV[5], expired, now)
end

-- 2. Free capacity, enforced here whatever the caller believes.
local waitingBefore = redis.call('ZCARD', KEYS[1])
local cap = admission_cap(KEYS[7], KEYS[14], ARGV[2], ARGV[13])
local free = cap - redis.call('ZCARD', KEYS[2])
local limit = tonumber(ARGV[7])
if limit > 0 and limit < free then
  free = limit
end
local drawing = redis.call('HMGET', KEYS[13], 'frozenAt', 'drawnAt')
if drawing[1] and not drawing[2] then
  free = 0
end

-- 3. Oldest first. ZADD/HSET in chunks: one command per chunk, not per visitor.
-- popped = { visitor1, seq1, visitor2, seq2, ... }, sequences ascending; an integer score comes back in decimal, so
-- visitor .. '.' .. seq is the ticket (prelude.lua's ticket_of). The front is read, then cut off by rank in one range
-- deletion, cheaper than ZPOPMIN's removal member by member (5,000 of 1,000,000 into Lua, main-thread CPU on the loaded
-- 2-core bench machine: ZRANGE + ZREMRANGEBYRANK 5-9 ms, ZPOPMIN 6-12 ms; the range deletion alone 1.5-2 ms).
local tickets, popped = {}, {}
if free > 0 and waitingBefore > 0 then
  popped = redis.call('ZRANGE', KEYS[1], 0, free - 1, 'WITHSCORES')
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, free - 1)
  local pointers, visitors = {}, {}
  for i = 1, #popped, 2 do
    local ticket = popped[i] .. '.' .. popped[i + 1]
    tickets[#tickets + 1] = ticket
    visitors[#visitors + 1] = popped[i]
    pointers[i] = popped[i]
    pointers[i + 1] = ticket
  end
  -- Departures from the middle that the front has now passed count for nobody's place any more.
  if #popped > 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[12], '-inf', popped[#popped])
  end
  zadd_chunked(KEYS[2], ARGV[3], tickets)
  -- The admitted visitor's pointer, so joining again finds the admission (join.lua).
  call_chunked('HSET', KEYS[5], pointers)
  -- No longer waiting: their places leave their networks' counts.
  release_networks({ count = KEYS[15], of = KEYS[16] }, visitors)
end

-- 4. Admission rate: an exponentially weighted average over time, updated whenever someone was waiting.
local last = tonumber(redis.call('HGET', KEYS[7], 'lastAdmissionRun') or '') or (now - tonumber(ARGV[12]))
if waitingBefore > 0 and now > last then
  local sample = #tickets * 1000 / (now - last)
  local old = tonumber(redis.call('HGET', KEYS[7], 'admitRate') or '')
  local rate = sample
  if old then
    rate = old + (sample - old) * (1 - math.exp(-(now - last) / tonumber(ARGV[10])))
  end
  redis.call('HSET', KEYS[7], 'admitRate', tostring(rate))
end
redis.call('HSET', KEYS[7], 'lastAdmissionRun', now)

if #tickets == 0 then
  return { 0, #expired, 0, redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2]), '', '' }
end
redis.call('HSET', KEYS[7], 'lastAdmittedAt', now)

-- 5. Time in queue, bucketed: the stats hash feeds the admin API's median, the reply the caller's histogram.
local bounds = {}
for b in string.gmatch(ARGV[11], '[^,]+') do
  bounds[#bounds + 1] = tonumber(b) * 1000
end
local counts, sums = {}, {}
for i = 1, #bounds + 1 do
  counts[i] = 0
  sums[i] = 0
end
-- Join times from the sequences and the per-second marks of joined (written by join.lua): a ticket joined in the second of
-- the newest mark at or below its sequence. Two reads per batch; then, as the sequences ascend, one run of the batch per
-- mark (found by binary search): the histogram costs per second of joins, not per visitor. Marks below the batch's go.
local function seq_at(k)
  return tonumber(popped[2 * k])
end
local n = #tickets
local first, last = seq_at(1), seq_at(n)
local base = redis.call('ZREVRANGEBYSCORE', KEYS[4], first, '-inf', 'WITHSCORES', 'LIMIT', 0, 1)
local marks = redis.call('ZRANGEBYSCORE', KEYS[4], '(' .. popped[2], popped[2 * n], 'WITHSCORES')
local joinedMs = base[1] and tonumber(base[1]) * 1000 or now
local from = 1
for m = 1, #marks + 1, 2 do
  local to = n + 1
  if marks[m] then
    -- The first of the batch at or past this mark.
    local score, lo, hi = tonumber(marks[m + 1]), from, n + 1
    while lo < hi do
      local mid = math.floor((lo + hi) / 2)
      if seq_at(mid) >= score then
        hi = mid
      else
        lo = mid + 1
      end
    end
    to = lo
  end
  if to > from then
    local wait = math.max(0, now - joinedMs)
    local bucket = #bounds + 1
    for i = 1, #bounds do
      if wait <= bounds[i] then
        bucket = i
        break
      end
    end
    counts[bucket] = counts[bucket] + (to - from)
    sums[bucket] = sums[bucket] + (to - from) * wait
  end
  if marks[m] then
    joinedMs = tonumber(marks[m]) * 1000
  end
  from = to
end
local newest = marks[#marks] or base[2]
if newest then
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', '(' .. newest)
end
local reply = {}
for i = 1, #bounds + 1 do
  if counts[i] > 0 then
    redis.call('HINCRBY', KEYS[8], 'w' .. i, counts[i])
  end
  reply[i] = counts[i] .. ':' .. sums[i]
end
tally(KEYS[8], ARGV[9], 'admitted', #tickets)

-- 6. One event and one message for the whole batch.
local list = table.concat(tickets, ',')
redis.call('XADD', KEYS[6], 'MAXLEN', '~', ARGV[6], '*', 'type', 'admitted', 'count', #tickets, 'tickets', list, 'at', now)
redis.call('SPUBLISH', ARGV[5], notice('admitted', now, list))
return { #tickets, #expired, 0, redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2]), list, table.concat(reply, ',') }
