-- Write the room's switch state if nobody changed it since the caller read it (compare-and-set on 'version'),
-- so the evaluator and an operator's mode change can never overwrite each other unseen.
-- KEYS[1] state   KEYS[2] events
-- ARGV[1] expected version   ARGV[2] what to announce: 0 nothing, 1 message only, 2 'switched' event and message
-- ARGV[3] notify channel (sharded: SPUBLISH)   ARGV[4] events MAXLEN (approximate)   ARGV[5] now (ms)   ARGV[6] reason   ARGV[7] queueOn (0/1)
-- ARGV[8..] field/value pairs to set
-- Returns the new version, or -1 when the state changed meanwhile (the caller reads again and retries).
-- From prelude.lua (LuaScripts.Load puts it in front): notice.
local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if version ~= tonumber(ARGV[1]) then
  return -1
end
version = version + 1
redis.call('HSET', KEYS[1], 'version', version, unpack(ARGV, 8))
if ARGV[2] == '2' then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'type', 'switched', 'at', ARGV[5], 'reason', ARGV[6], 'queueOn', ARGV[7])
end
if ARGV[2] ~= '0' then
  redis.call('SPUBLISH', ARGV[3], notice('state', version))
end
return version
