-- Heartbeats, batched: mark tickets seen now, if they still hold a place: a waiting one in seen, an admitted one in
-- active:seen (the reaper watches an admitted visitor from its first heartbeat after the admission).
-- KEYS[1] seen   KEYS[2] waiting (zset visitor -> seq)   KEYS[3] active   KEYS[4] active:seen
-- ARGV[1] now (ms)   ARGV[2..n] tickets
-- Returns one number per ticket: 1 waiting, 2 active, 0 gone.
local states = {}
for i = 2, #ARGV do
  local ticket = ARGV[i]
  local state = 0
  -- A ticket '<visitor>.<seq>' waits while its visitor waits under that sequence (prelude.lua's ticket_parts).
  local visitor, seq = string.match(ticket, '^(.+)%.(%d+)$')
  if visitor and tonumber(redis.call('ZSCORE', KEYS[2], visitor) or '') == tonumber(seq) then
    state = 1
  elseif redis.call('ZSCORE', KEYS[3], ticket) then
    state = 2
  end
  if state == 1 then
    redis.call('ZADD', KEYS[1], ARGV[1], ticket)
  elseif state == 2 then
    redis.call('ZADD', KEYS[4], ARGV[1], ticket)
  end
  states[#states + 1] = state
end
return states
