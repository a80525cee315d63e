-- Deliver admissions: the one place that decides "this visitor has now been told" (a hub sent the notice, or a poll
-- returned the entry link), exactly once per admission across every hub and proxy.
-- The first delivery of a ticket that has not entered yet restarts its claim window from now: an admission made while
-- the visitor's connection was down (a hub restart, a train tunnel) is not lost to a window that ran while nobody
-- could tell them.
-- KEYS[1] active   then per ticket i (1-based): KEYS[2i] its notice marker, KEYS[2i+1] its used-code marker
-- ARGV[1] now (ms)   ARGV[2] claim deadline from now (ms)   ARGV[3] notice marker TTL (ms)   ARGV[4] who delivers
-- ARGV[5..] the tickets, in the order of their KEYS
-- Returns one number per ticket: 1 delivered now (first time), 2 delivered before, 0 not admitted (waiting or gone),
-- 3 entered already (its one-time code was used: there is nothing left to deliver; no marker is written).
local now = tonumber(ARGV[1])
local results = {}
for i = 5, #ARGV do
  local ticket = ARGV[i]
  local n = i - 4
  local untilMs = tonumber(redis.call('ZSCORE', KEYS[1], ticket) or '')
  local result = 0
  if untilMs and untilMs > now then
    if redis.call('EXISTS', KEYS[2 * n + 1]) == 1 then
      result = 3
    elseif redis.call('SET', KEYS[2 * n], ARGV[4], 'NX', 'PX', ARGV[3]) then
      result = 1
      redis.call('ZADD', KEYS[1], 'XX', ARGV[2], ticket)
    else
      result = 2
    end
  end
  results[#results + 1] = result
end
return results
