-- End an active session now (purchase done, backend command): the slot frees at once.
-- KEYS[1] active   KEYS[2] seen   KEYS[3] tickets   KEYS[4] visitors   KEYS[5] events
-- ARGV[1] ticket   ARGV[2] now (ms)   ARGV[3] reason   ARGV[4] events MAXLEN (approximate)
-- KEYS[6] this minute's stats hash   ARGV[5] notify channel (sharded: SPUBLISH)   ARGV[6] stats TTL (s)
-- KEYS[7] gone (zset ticket -> ms left)   KEYS[8] gone reasons (hash ticket -> why)
-- KEYS[9] revoked (zset ticket -> ms its admission ended; scores never go backwards)
-- Publishes 'freed|<ms>|1' (capacity for the scheduler) and 'revoked|<ms>|<ticket>' (every proxy refuses its cookie).
-- Returns 1 when the session ended now, 0 when it was not active.
local ticket = ARGV[1]
if redis.call('ZREM', KEYS[1], ticket) == 0 then
  return 0
end
redis.call('ZREM', KEYS[2], ticket)
local info = redis.call('HGET', KEYS[3], ticket)
local visitor = info and string.match(info, '^([^|]*)') or ''
redis.call('HDEL', KEYS[3], ticket)
if visitor ~= '' and redis.call('HGET', KEYS[4], visitor) == ticket then
  redis.call('HDEL', KEYS[4], visitor)
end
redis.call('ZADD', KEYS[7], ARGV[2], ticket)
redis.call('HSET', KEYS[8], ticket, 'ended')
redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[4], '*', 'type', 'ended', 'visitor', visitor, 'ticket', ticket, 'at', ARGV[2],
  'reason', ARGV[3])
redis.call('HINCRBY', KEYS[6], 'ended', 1)
redis.call('EXPIRE', KEYS[6], ARGV[6])
redis.call('SPUBLISH', ARGV[5], 'freed|' .. ARGV[2] .. '|1')
local newest = redis.call('ZRANGE', KEYS[9], -1, -1, 'WITHSCORES')
local at = tonumber(ARGV[2])
if newest[2] and tonumber(newest[2]) > at then
  at = tonumber(newest[2])
end
redis.call('ZADD', KEYS[9], at, ticket)
redis.call('SPUBLISH', ARGV[5], 'revoked|' .. string.format('%d', at) .. '|' .. ticket)
return 1
