-- Heartbeats, batched: mark tickets seen now, if they still hold a place: a waiting one (or a pre-queue participant's)
-- in seen, an admitted one in active:seen. Only a page on the site that says the visitor is there (the keep-alive,
-- ARGV[2] = '1') starts watching an admitted visitor (the reaper then gives it up once unseen for AbandonAfter); the
-- waiting page's heartbeats (ARGV[2] = '0') only keep an admitted visitor seen that is watched already. Otherwise a
-- waiting-page heartbeat that lands just after the admission, as the page leaves for the site, would have a visitor who
-- shops on a site without the keep-alive reaped while using it. A pre-queue ticket ('<visitor>.p') the draw has placed
-- beats for the ticket of its place.
-- KEYS[1] seen   KEYS[2] waiting (zset visitor -> seq)   KEYS[3] active   KEYS[4] active:seen
-- KEYS[5] schedule (hash: the room's sale)   KEYS[6] pre-queue   KEYS[7] frozen pre-queue   KEYS[8] visitors
-- ARGV[1] now (ms)   ARGV[2] who beats: '0' the waiting page (admitted tickets only if watched already), '1' the
-- keep-alive (starts watching admitted tickets)   ARGV[3..n] tickets, seen now: when the batch reaches Redis, never
-- before it, so a live page is never dated early however slow a flush (the keep-alive's batches are a quarter second)
-- Returns one number per ticket: 1 waiting, 2 active, 3 in the pre-queue (frozen or not), 0 gone.
-- From prelude.lua (LuaScripts.Load puts it in front): ticket_parts, ticket_of, drawn_ticket, sale_state_of,
-- pending_visitor.
local sale = { waiting = KEYS[2], visitors = KEYS[8] }
local sale_state = nil
local states = {}
local watch = ARGV[2] == '1'
local at = ARGV[1]
for i = 3, #ARGV do
  local ticket = ARGV[i]
  local state = 0
  local visitor, seq = ticket_parts(ticket)
  if pending_visitor(ticket) then
    if redis.call('ZSCORE', KEYS[6], visitor) then
      redis.call('ZADD', KEYS[1], at, ticket)
      state = 3
    elseif redis.call('ZSCORE', KEYS[7], visitor) then
      -- Frozen for the draw: nobody is reaped from it, so no heartbeat is kept.
      state = 3
    else
      sale_state = sale_state or sale_state_of(KEYS[5])
      local placed = drawn_ticket(sale, visitor, sale_state)
      if placed then
        ticket = placed
        visitor, seq = ticket_parts(ticket)
      end
    end
  end
  if state == 0 then
    -- A ticket '<visitor>.<seq>' waits while its visitor waits under that sequence.
    if seq and tonumber(redis.call('ZSCORE', KEYS[2], visitor) or '') == seq then
      state = 1
    elseif redis.call('ZSCORE', KEYS[3], ticket) then
      state = 2
    end
    if state == 1 then
      redis.call('ZADD', KEYS[1], at, ticket)
    elseif state == 2 then
      if watch then
        redis.call('ZADD', KEYS[4], at, ticket)
      else
        redis.call('ZADD', KEYS[4], 'XX', at, ticket)
      end
    end
  end
  states[#states + 1] = state
end
return states
