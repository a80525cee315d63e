-- Admit the next batch: strict FIFO, never above MaxActive, one atomic step.
-- KEYS[1] waiting   KEYS[2] active   KEYS[3] seen   KEYS[4] tickets   KEYS[5] visitors   KEYS[6] events   KEYS[7] state
-- ARGV[1] now (ms)   ARGV[2] MaxActive   ARGV[3] claim deadline of the newly admitted (ms)
-- ARGV[4] fencing token of the caller's lock grant   ARGV[5] notify channel   ARGV[6] events MAXLEN (approximate)
-- ARGV[7] most to admit in this call (0 = as many as capacity allows)   ARGV[8] most expired sessions to drop in this call
-- Returns { admitted, expired, fenced, waiting, active, tickets (comma-separated) }.
-- fenced = 1: a newer lock holder already admitted; this (late, paused) caller changed nothing.
local now = ARGV[1]

local fence = tonumber(ARGV[4])
local accepted = tonumber(redis.call('HGET', KEYS[7], 'fence') or '0')
if fence < accepted then
  return { 0, 0, 1, redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2]), '' }
end
redis.call('HSET', KEYS[7], 'fence', fence)

-- 1. Sessions past their expiry leave, each with an event (the backend releases their holds).
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, tonumber(ARGV[8]))
for _, ticket in ipairs(expired) do
  redis.call('ZREM', KEYS[2], ticket)
  redis.call('ZREM', KEYS[3], ticket)
  local info = redis.call('HGET', KEYS[4], ticket)
  local visitor = info and string.match(info, '^([^|]*)') or ''
  redis.call('HDEL', KEYS[4], ticket)
  if visitor ~= '' and redis.call('HGET', KEYS[5], visitor) == ticket then
    redis.call('HDEL', KEYS[5], visitor)
  end
  redis.call('XADD', KEYS[6], 'MAXLEN', '~', ARGV[6], '*', 'type', 'expired', 'visitor', visitor, 'ticket', ticket, 'at', now)
end

-- 2. Free capacity, enforced here whatever the caller believes.
local free = tonumber(ARGV[2]) - redis.call('ZCARD', KEYS[2])
local limit = tonumber(ARGV[7])
if limit > 0 and limit < free then
  free = limit
end
if free <= 0 then
  return { 0, #expired, 0, redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2]), '' }
end

-- 3. Oldest first. ZADD/ZREM in chunks: one command per chunk, not per visitor, and within Lua's stack limit.
local popped = redis.call('ZPOPMIN', KEYS[1], free)
local tickets = {}
local chunk = {}
local gone = {}
for i = 1, #popped, 2 do
  local ticket = popped[i]
  tickets[#tickets + 1] = ticket
  chunk[#chunk + 1] = ARGV[3]
  chunk[#chunk + 1] = ticket
  gone[#gone + 1] = ticket
  if #chunk >= 1000 then
    redis.call('ZADD', KEYS[2], unpack(chunk))
    redis.call('ZREM', KEYS[3], unpack(gone))
    chunk = {}
    gone = {}
  end
end
if #chunk > 0 then
  redis.call('ZADD', KEYS[2], unpack(chunk))
  redis.call('ZREM', KEYS[3], unpack(gone))
end

if #tickets == 0 then
  return { 0, #expired, 0, 0, redis.call('ZCARD', KEYS[2]), '' }
end

-- 4. One event and one message for the whole batch.
local list = table.concat(tickets, ',')
redis.call('XADD', KEYS[6], 'MAXLEN', '~', ARGV[6], '*', 'type', 'admitted', 'count', #tickets, 'tickets', list, 'at', now)
redis.call('PUBLISH', ARGV[5], 'admitted|' .. now .. '|' .. list)
return { #tickets, #expired, 0, redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2]), list }
