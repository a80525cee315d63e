-- A visitor gives up its place on purpose (the waiting page's "leave", an API client's call): the place is freed at once
-- instead of after AbandonAfter, and the departure is told like any other (one 'left' event, reason 'waiting' or
-- 'prequeue'; positions behind it move up through departed). Only a place in the queue or the pre-queue can be left: an
-- admitted visitor ends its session on the ticket site.
-- KEYS[1] waiting (zset visitor -> seq)   KEYS[2] departed   KEYS[3] seen   KEYS[4] visitors   KEYS[5] gone
-- KEYS[6] gone reasons   KEYS[7] events   KEYS[8] state   KEYS[9] schedule   KEYS[10] pre-queue   KEYS[11] frozen pre-queue
-- ARGV[1] ticket   ARGV[2] now (ms)   ARGV[3] events MAXLEN (approximate)
-- KEYS[12] nets (zset network -> waiting places)   KEYS[13] netof (hash visitor -> network): the place left is released
-- from its network's count (prelude.lua's release_networks)
-- Returns 1 left, 0 holds no place to leave (admitted, or gone already), -1 being drawn (frozen: ask again once drawn).
-- From prelude.lua (LuaScripts.Load puts it in front): depart, leave_waiting, departed_count, pending_visitor,
-- sale_state_of, drawn_ticket, release_networks.
local room = { visitors = KEYS[4], gone = KEYS[5], goneWhy = KEYS[6], events = KEYS[7], eventsMaxLen = ARGV[3] }
local nets = { count = KEYS[12], of = KEYS[13] }
local ticket = ARGV[1]
local visitor = pending_visitor(ticket)
if visitor then
  if redis.call('ZREM', KEYS[10], visitor) == 1 then
    redis.call('ZREM', KEYS[3], ticket)
    release_networks(nets, { depart(room, ticket, 'left', ARGV[2], 'prequeue') })
    return 1
  end
  if redis.call('ZSCORE', KEYS[11], visitor) then
    return -1
  end
  local placed = drawn_ticket({ waiting = KEYS[1], visitors = KEYS[4] }, visitor, sale_state_of(KEYS[9]))
  if not placed then
    return 0
  end
  -- The pre-queue ticket's heartbeat stands for the drawn place until that place is seen itself.
  redis.call('ZREM', KEYS[3], ticket)
  ticket = placed
end
local seq = leave_waiting(KEYS[1], KEYS[2], ticket)
if not seq then
  return 0
end
redis.call('ZREM', KEYS[3], ticket)
departed_count(KEYS[8], 1)
release_networks(nets, { depart(room, ticket, 'left', ARGV[2], 'waiting', seq) })
return 1
