-- Admit the next batch: strict FIFO, never above MaxActive, one atomic step.
-- KEYS[1] waiting   KEYS[2] active   KEYS[3] seen   KEYS[4] tickets   KEYS[5] visitors   KEYS[6] events   KEYS[7] state
-- KEYS[8] this minute's stats hash   KEYS[9] gone (zset ticket -> ms left)   KEYS[10] gone reasons (hash ticket -> why)
-- KEYS[11] revoked (zset ticket -> ms its admission ended; scores never go backwards)
-- ARGV[1] now (ms)   ARGV[2] MaxActive
-- ARGV[3] deadline of the newly admitted until their admission is delivered (ms); delivery (deliver.lua) restarts the
--         claim window from the moment the visitor is told
-- ARGV[4] fencing token of the caller's lock grant   ARGV[5] notify channel (sharded: SPUBLISH)   ARGV[6] events MAXLEN (approximate)
-- ARGV[7] most to admit in this call (0 = as many as capacity allows)   ARGV[8] most expired sessions to drop in this call
-- ARGV[9] stats TTL (s)   ARGV[10] time constant of the admission-rate average (ms)
-- ARGV[11] wait-histogram bucket bounds (s), comma-separated, ascending (a last, open bucket is implied)
-- ARGV[12] the admission interval (ms): the time a first batch is taken to have covered
-- KEYS[12] departed (zset sequence -> sequence of waiting tickets that left from the middle): those the batch passed go
-- Returns { admitted, expired, fenced, waiting, active, tickets (comma-separated), wait buckets "count:sumMs,..." }.
-- Publishes 'revoked|<ms>|t1,t2,...' for the expired sessions (every proxy refuses their cookies) and
-- 'admitted|<ms>|t1,t2,...' for the batch.
-- fenced = 1: a newer lock holder already admitted; this (late, paused) caller changed nothing.
-- From prelude.lua (LuaScripts.Load puts it in front): depart, revoke, tally, notice, ticket_created, call_chunked, zadd_chunked.
local now = tonumber(ARGV[1])

local fence = tonumber(ARGV[4])
local accepted = tonumber(redis.call('HGET', KEYS[7], 'fence') or '0')
if fence < accepted then
  return { 0, 0, 1, redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2]), '', '' }
end
redis.call('HSET', KEYS[7], 'fence', fence)

-- 1. Sessions past their expiry leave, each with an event (the backend releases their holds).
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, tonumber(ARGV[8]))
call_chunked('ZREM', KEYS[2], expired)
call_chunked('ZREM', KEYS[3], expired)
local room = {
  tickets = KEYS[4], visitors = KEYS[5], gone = KEYS[9], goneWhy = KEYS[10], events = KEYS[6], eventsMaxLen = ARGV[6],
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
local free = tonumber(ARGV[2]) - redis.call('ZCARD', KEYS[2])
local limit = tonumber(ARGV[7])
if limit > 0 and limit < free then
  free = limit
end

-- 3. Oldest first. ZADD/ZREM in chunks: one command per chunk, not per visitor.
local tickets = {}
if free > 0 and waitingBefore > 0 then
  local popped = redis.call('ZPOPMIN', KEYS[1], free)
  for i = 1, #popped, 2 do
    tickets[#tickets + 1] = popped[i]
  end
  -- Departures from the middle that the front has now passed count for nobody's place any more.
  if #popped > 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[12], '-inf', popped[#popped])
  end
  zadd_chunked(KEYS[2], ARGV[3], tickets)
  call_chunked('ZREM', KEYS[3], tickets)
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
-- Join times in chunks (HMGET): one call per chunk of admitted, not one per visitor.
for first = 1, #tickets, CHUNK do
  local infos = redis.call('HMGET', KEYS[4], unpack(tickets, first, math.min(first + CHUNK - 1, #tickets)))
  for _, info in ipairs(infos) do
    local wait = now - ticket_created(info, now)
    local bucket = #bounds + 1
    for i = 1, #bounds do
      if wait <= bounds[i] then
        bucket = i
        break
      end
    end
    counts[bucket] = counts[bucket] + 1
    sums[bucket] = sums[bucket] + wait
  end
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
