-- Where many tickets stand, in one step (the hub's push tick: one call per chunk of sessions, not one per ticket).
-- KEYS[1] waiting (zset visitor -> seq)   KEYS[2] active   KEYS[3] gone reasons (hash ticket -> why)
-- ARGV[1] now (ms)   ARGV[2..] tickets
-- Returns three values per ticket, in order: { state, detail, sequence }
--   state 1 waiting   detail = position (rank + 1)   sequence = its place in the order (the waiting score)
--   state 2 admitted  detail = 0 (active and not past its deadline)
--   state 0 gone      detail = why it left ('expired', 'abandoned', 'ended'; '' when not recorded)
--   sequence is 0 unless waiting.
local now = tonumber(ARGV[1])
local reply = {}
for i = 2, #ARGV do
  local ticket = ARGV[i]
  -- A ticket '<visitor>.<seq>' waits while its visitor waits under that sequence (prelude.lua's ticket_parts).
  local visitor, seq = string.match(ticket, '^(.+)%.(%d+)$')
  local rank = nil
  if visitor and tonumber(redis.call('ZSCORE', KEYS[1], visitor) or '') == tonumber(seq) then
    rank = redis.call('ZRANK', KEYS[1], visitor)
  end
  if rank then
    reply[#reply + 1] = 1
    reply[#reply + 1] = rank + 1
    reply[#reply + 1] = tonumber(seq)
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
end
return reply
