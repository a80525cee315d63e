-- The draw's first step: freeze the sale's pre-queue if its start has come (prelude.lua's sale_phase; a join after the
-- start may have done it already), and say what the drawer needs.
-- KEYS[1] schedule (hash: the room's sale)   KEYS[2] pre-queue   KEYS[3] frozen pre-queue   KEYS[4] seq
-- ARGV[1] now (ms)
-- Returns { phase, firstSeq, participants, frozenAt, order, seed, receiptKey } ('' for what is not there yet): phase
-- 'none' (no sale, or not started: nothing to draw), 'drawing' (frozen: draw it) or 'drawn' (done).
-- From prelude.lua (LuaScripts.Load puts it in front): sale_phase.
local state = sale_phase({ schedule = KEYS[1], prequeue = KEYS[2], frozen = KEYS[3], seq = KEYS[4] }, tonumber(ARGV[1]))
if state.phase == 'prequeue' then
  state.phase = 'none'
end
local f = redis.call('HMGET', KEYS[1], 'frozenAt', 'order', 'seed', 'receiptKey')
return {
  state.phase, string.format('%d', state.first or 0), string.format('%d', state.participants or 0),
  f[1] or '', f[2] or '', f[3] or '', f[4] or '',
}
