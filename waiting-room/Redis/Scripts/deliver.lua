-- Deliver admissions: the one place that decides "this visitor has now been told" (a hub sent the notice, or a poll
-- returned the entry link), exactly once per admission across every hub and proxy.
-- The first delivery of a ticket that has not entered yet restarts its claim window from now: an admission made while
-- the visitor's connection was down (a hub restart, a train tunnel) is not lost to a window that ran while nobody
-- could tell them.
-- Who delivered is kept per claim window: notices:<n> (hash ticket -> who delivers) holds the deliveries made in the n-th
-- claim window since the epoch, and lives two windows. A delivered ticket that has not entered is active only until its
-- restarted window ends, so while its delivery still matters it is in this window's hash or the one before, never older.
-- A batch (a hub's share of an admission, thousands of tickets) so costs a few commands per thousand tickets, not four
-- per ticket: one ZMSCORE for the scores, one EXISTS for the used codes (looked at one by one only when it counted any),
-- one HMGET per hash for earlier deliveries, one HSET for the claims and one ZADD for the restarted windows.
-- KEYS[1] active   KEYS[2] this window's notices   KEYS[3] the window before's notices
-- then per ticket i (1-based): KEYS[3+i] its used-code marker
-- ARGV[1] now (ms)   ARGV[2] claim deadline from now (ms)   ARGV[3] TTL of this window's notices (ms)   ARGV[4] who delivers
-- ARGV[5..] the tickets, in the order of their KEYS
-- Returns one number per ticket: 1 delivered now (first time), 2 delivered before, 0 not admitted (waiting or gone),
-- 3 entered already (its one-time code was used: there is nothing left to deliver; no delivery is written).
local now = tonumber(ARGV[1])
-- Members per command (within the stack limit of unpack).
local PER_COMMAND = 1000
local FIRST_TICKET = 5
local n = #ARGV - FIRST_TICKET + 1
local results = {}

-- The tickets still admitted (the admission not past its deadline), by index.
local live = {}
for first = 1, n, PER_COMMAND do
  local last = math.min(first + PER_COMMAND - 1, n)
  local scores = redis.call('ZMSCORE', KEYS[1], unpack(ARGV, first + FIRST_TICKET - 1, last + FIRST_TICKET - 1))
  for i = first, last do
    local untilMs = tonumber(scores[i - first + 1] or '')
    results[i] = 0
    if untilMs and untilMs > now then
      live[#live + 1] = i
    end
  end
end

local claimed = {}
for first = 1, #live, PER_COMMAND do
  local last = math.min(first + PER_COMMAND - 1, #live)
  -- Entered: the ticket's one-time code was used.
  local entered, codes = {}, {}
  for k = first, last do
    codes[#codes + 1] = KEYS[3 + live[k]]
  end
  if redis.call('EXISTS', unpack(codes)) > 0 then
    for k = first, last do
      entered[k] = redis.call('EXISTS', KEYS[3 + live[k]]) == 1
    end
  end
  -- Delivered before: in either window's hash, or earlier in this same call.
  local tickets = {}
  for k = first, last do
    tickets[#tickets + 1] = ARGV[live[k] + FIRST_TICKET - 1]
  end
  local now_by = redis.call('HMGET', KEYS[2], unpack(tickets))
  local before_by = redis.call('HMGET', KEYS[3], unpack(tickets))
  local marks, deadlines = {}, {}
  for k = first, last do
    local i, ticket = live[k], tickets[k - first + 1]
    if entered[k] then
      results[i] = 3
    elseif now_by[k - first + 1] or before_by[k - first + 1] or claimed[ticket] then
      results[i] = 2
    else
      results[i] = 1
      claimed[ticket] = true
      marks[#marks + 1] = ticket
      marks[#marks + 1] = ARGV[4]
      deadlines[#deadlines + 1] = ARGV[2]
      deadlines[#deadlines + 1] = ticket
    end
  end
  if #marks > 0 then
    redis.call('HSET', KEYS[2], unpack(marks))
    redis.call('PEXPIRE', KEYS[2], ARGV[3])
    redis.call('ZADD', KEYS[1], 'XX', unpack(deadlines))
  end
end
return results
