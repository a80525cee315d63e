-- Heartbeats, batched: mark tickets seen now, if they still hold a place.
-- KEYS[1] seen   KEYS[2] waiting   KEYS[3] active
-- ARGV[1] now (ms)   ARGV[2..n] tickets
-- Returns one number per ticket: 1 waiting, 2 active, 0 gone.
local states = {}
for i = 2, #ARGV do
  local ticket = ARGV[i]
  local state = 0
  if redis.call('ZSCORE', KEYS[2], ticket) then
    state = 1
  elseif redis.call('ZSCORE', KEYS[3], ticket) then
    state = 2
  end
  if state > 0 then
    redis.call('ZADD', KEYS[1], ARGV[1], ticket)
  end
  states[#states + 1] = state
end
return states
