-- End an active session now (purchase done, backend command): the slot frees at once.
-- KEYS[1] active   KEYS[2] seen   KEYS[3] tickets   KEYS[4] visitors   KEYS[5] events
-- ARGV[1] ticket   ARGV[2] now (ms)   ARGV[3] reason   ARGV[4] events MAXLEN (approximate)
-- KEYS[6] this minute's stats hash   ARGV[5] notify channel (sharded: SPUBLISH)   ARGV[6] stats TTL (s)
-- KEYS[7] gone (zset ticket -> ms left)   KEYS[8] gone reasons (hash ticket -> why)
-- KEYS[9] revoked (zset ticket -> ms its admission ended; scores never go backwards)
-- Publishes 'freed|<ms>|1' (capacity for the scheduler) and 'revoked|<ms>|<ticket>' (every proxy refuses its cookie).
-- Returns 1 when the session ended now, 0 when it was not active.
-- From prelude.lua (LuaScripts.Load puts it in front): depart, revoke, tally, notice.
local ticket = ARGV[1]
if redis.call('ZREM', KEYS[1], ticket) == 0 then
  return 0
end
redis.call('ZREM', KEYS[2], ticket)
local room = {
  tickets = KEYS[3], visitors = KEYS[4], gone = KEYS[7], goneWhy = KEYS[8], events = KEYS[5], eventsMaxLen = ARGV[4],
}
depart(room, ticket, 'ended', ARGV[2], ARGV[3])
tally(KEYS[6], ARGV[6], 'ended', 1)
redis.call('SPUBLISH', ARGV[5], notice('freed', ARGV[2], 1))
revoke(KEYS[9], ARGV[5], { ticket }, ARGV[2])
return 1
