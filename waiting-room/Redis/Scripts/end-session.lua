-- End an active session now (purchase done, backend command): the slot frees at once.
-- KEYS[1] active   KEYS[2] active:seen   KEYS[3] visitors (hash visitor -> admitted ticket)   KEYS[4] events
-- ARGV[1] ticket   ARGV[2] now (ms)   ARGV[3] reason   ARGV[4] events MAXLEN (approximate)
-- KEYS[5] this minute's stats hash   ARGV[5] notify channel (sharded: SPUBLISH)   ARGV[6] stats TTL (s)
-- KEYS[6] gone (zset ticket -> ms left)   KEYS[7] gone reasons (hash ticket -> why)
-- KEYS[8] revoked (zset ticket -> ms its admission ended; scores never go backwards)
-- Publishes 'freed|<ms>|1' (capacity for the scheduler) and 'revoked|<ms>|<ticket>' (every proxy refuses its cookie).
-- Returns 1 when the session ended now, 0 when it was not active.
-- From prelude.lua (LuaScripts.Load puts it in front): depart, revoke, tally, notice.
local ticket = ARGV[1]
if redis.call('ZREM', KEYS[1], ticket) == 0 then
  return 0
end
redis.call('ZREM', KEYS[2], ticket)
local room = {
  visitors = KEYS[3], gone = KEYS[6], goneWhy = KEYS[7], events = KEYS[4], eventsMaxLen = ARGV[4],
}
depart(room, ticket, 'ended', ARGV[2], ARGV[3])
tally(KEYS[5], ARGV[6], 'ended', 1)
redis.call('SPUBLISH', ARGV[5], notice('freed', ARGV[2], 1))
revoke(KEYS[8], ARGV[5], { ticket }, ARGV[2])
return 1
