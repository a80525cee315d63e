-- Empty the room between rehearsals: queue, sessions, visitors, join marks, departure logs and the switch state (mode,
-- timers, rates, admission bookkeeping, the operator's runtime challenge, MaxActive and MaxPlacesPerNetwork); then
-- announce a state change, as write-state.lua does, so every instance re-reads the room at once. The per-item keys
-- (markers, rates, stats) are the caller's: no script can name them ahead.
-- Kept: the event stream (not among the KEYS: the backend's consumer group reads it), and the state hash's admission
-- fencing ('fence', the newest grant admit.lua accepted; 'fenceSeq', the last grant handed out), so a lock holder from
-- before the reset can never hold a fence above every new holder's. 'version' goes on counting, so a compare-and-set
-- begun before the reset fails and reads again.
-- The ticket sequence goes on counting too (it is not among the keys removed): every ticket from before the reset has a
-- sequence below the new front, so a hub that computes places (positions.lua) sees them all passed, never waiting, and a
-- visitor's ticket ('<visitor>.<seq>') never comes back after a reset.
-- KEYS[1] state   KEYS[2] departed   KEYS[3] waiting   KEYS[4] active   KEYS[5] seen   KEYS[6] joined   KEYS[7] visitors
-- KEYS[8] gone   KEYS[9] gone reasons   KEYS[10] revoked   KEYS[11] active:seen
-- KEYS[12] schedule   KEYS[13] pre-queue   KEYS[14] frozen pre-queue   KEYS[15] participants: the room's scheduled sale
-- goes too (its participants went with the queue); schedule it again after the reset   KEYS[16] inventory
-- KEYS[17] the gates' tally of entry checks (challenges, proofs, invitation keys)
-- KEYS[18] nets   KEYS[19] netof: the per-network counts of waiting places go with the places
-- ARGV[1] notify channel (sharded: SPUBLISH)
-- Returns { waiting visitors dropped, active sessions dropped, keys removed, the state's new version }.
-- From prelude.lua (LuaScripts.Load puts it in front): notice.
local waiting = redis.call('ZCARD', KEYS[3])
local active = redis.call('ZCARD', KEYS[4])
local fence = redis.call('HGET', KEYS[1], 'fence')
local fenceSeq = redis.call('HGET', KEYS[1], 'fenceSeq')
local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '0') + 1
local removed = redis.call('UNLINK', unpack(KEYS, 2))
redis.call('DEL', KEYS[1])
local kept = { 'version', version }
if fence then
  kept[#kept + 1] = 'fence'
  kept[#kept + 1] = fence
end
if fenceSeq then
  kept[#kept + 1] = 'fenceSeq'
  kept[#kept + 1] = fenceSeq
end
redis.call('HSET', KEYS[1], unpack(kept))
redis.call('SPUBLISH', ARGV[1], notice('state', version))
return { waiting, active, removed, version }
