-- Where many tickets stand, in one step (the hub's push tick: one call per chunk of sessions, not one per ticket).
-- KEYS[1] waiting (zset visitor -> seq)   KEYS[2] active   KEYS[3] gone reasons (hash ticket -> why)
-- KEYS[4] schedule (hash: the room's sale)   KEYS[5] pre-queue   KEYS[6] frozen pre-queue   KEYS[7] visitors
-- KEYS[8] participants (list of receipts in drawn order)
-- ARGV[1] now (ms)   ARGV[2..] tickets
-- Returns five values per ticket, in order: { state, detail, sequence, ticket, receipt }
--   state 1 waiting   detail = position (its place)   sequence = its place in the order (the waiting score)
--   state 2 admitted  detail = 0 (active and not past its deadline)
--   state 3 pre-queue detail = its arrival number (its receipt is made from it)
--   state 0 gone      detail = why it left ('expired', 'abandoned', 'ended'; '' when not recorded)
--   sequence is 0 unless waiting; ticket is '' unless a pre-queue ticket ('<visitor>.p') was placed by the draw: then
--   the ticket of that place ('<visitor>.<seq>', or its admission's), which the rest of the answer is about; receipt is
--   the published receipt of a place the draw gave (waiting under a drawn sequence), else ''.
-- After them one more value: the sale's receipt key when a ticket is in the pre-queue (its receipt is made from its
-- arrival number with it), else ''.
-- Read only: the sale's phase is read as it is (a freeze due at the start is the next join's or the drawer's).
-- From prelude.lua (LuaScripts.Load puts it in front): ticket_parts, ticket_of, drawn_ticket, waiting_place,
-- sale_state_of, pending_visitor.
local now = tonumber(ARGV[1])
local sale = { waiting = KEYS[1], visitors = KEYS[7] }
local sale_state = sale_state_of(KEYS[4])
local reply = {}
for i = 2, #ARGV do
  local ticket = ARGV[i]
  local resolved = ''
  local receipt = ''
  local visitor, seq = ticket_parts(ticket)
  local arrival = nil
  if pending_visitor(ticket) then
    arrival = redis.call('ZSCORE', KEYS[5], visitor) or redis.call('ZSCORE', KEYS[6], visitor)
    if not arrival then
      local placed = drawn_ticket(sale, visitor, sale_state)
      if placed then
        ticket = placed
        resolved = placed
        visitor, seq = ticket_parts(ticket)
      end
    end
  end
  if arrival then
    reply[#reply + 1] = 3
    reply[#reply + 1] = tonumber(arrival)
    reply[#reply + 1] = 0
  elseif seq and tonumber(redis.call('ZSCORE', KEYS[1], visitor) or '') == seq then
    reply[#reply + 1] = 1
    reply[#reply + 1] = waiting_place(KEYS[1], visitor, seq, sale_state)
    reply[#reply + 1] = seq
    if sale_state.phase == 'drawn' and seq >= sale_state.first and seq < sale_state.first + sale_state.participants then
      receipt = redis.call('LINDEX', KEYS[8], seq - sale_state.first) or ''
    end
  else
    local untilMs = tonumber(redis.call('ZSCORE', KEYS[2], ticket) or '')
    if untilMs and untilMs > now then
      reply[#reply + 1] = 2
      reply[#reply + 1] = 0
    else
      reply[#reply + 1] = 0
      reply[#reply + 1] = redis.call('HGET', KEYS[3], ticket) or ''
    end
    reply[#reply + 1] = 0
  end
  reply[#reply + 1] = resolved
  reply[#reply + 1] = receipt
end
local receiptKey = ''
for i = 1, #reply, 5 do
  if reply[i] == 3 then
    receiptKey = redis.call('HGET', KEYS[4], 'receiptKey') or ''
    break
  end
end
reply[#reply + 1] = receiptKey
return reply
