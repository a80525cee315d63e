-- What a hub needs to compute the place of every local visitor with no call per visitor (Queue/PositionBook.cs):
--   place(seq) = seq - front - #{ departed d : front < d <= seq }
-- where front is the lowest waiting sequence - 1 (the sequence when nobody waits): every ticket at or below it has left
-- waiting, by admission (which pops the front) or from the middle; and departed holds the sequences of those that left
-- from the middle (reaped, ...) until admission passes them (leave_waiting in prelude.lua). The hub keeps its own copy
-- of departed: it reads it whole once (start over), then only the departures appended to the events stream since.
-- Read only, atomic: front, the departures and the probe are one moment's view.
-- KEYS[1] waiting (zset visitor -> seq)   KEYS[2] seq   KEYS[3] events   KEYS[4] departed   KEYS[5] state
-- KEYS[6] schedule (hash: the room's sale)
-- ARGV[1] the last events stream id the caller read, or '' to start over   ARGV[2] most stream entries to read
-- ARGV[3] a waiting ticket whose place the caller checks its computation against, or ''
-- Returns { front, departed total, last id read, more, probe place, departures }:
--   departed total: the state's 'departed' count (every departure from the middle since the room's last reset)
--   more: 1 when ARGV[2] entries were read and more may follow (read again from the last id)
--   probe place: ZRANK + 1 of ARGV[3], 0 when it is not waiting (or none was asked)
--   departures: starting over, every sequence in departed above the front, ascending; else, per departure event read,
--   three values: its type ('abandoned', 'expired', 'ended', 'left'), its ticket and its sequence ('' when it was not waiting)
local front
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if first[2] then
  front = tonumber(first[2]) - 1
else
  front = tonumber(redis.call('GET', KEYS[2]) or '0')
end
-- While a sale's draw runs, the participants being drawn hold the sequences from firstSeq on, ahead of everyone who
-- joined after the start: the front is below them though none of them waits in the set yet.
local drawing = redis.call('HMGET', KEYS[6], 'frozenAt', 'drawnAt', 'firstSeq')
if drawing[1] and not drawing[2] and tonumber(drawing[3]) - 1 < front then
  front = tonumber(drawing[3]) - 1
end
local total = tonumber(redis.call('HGET', KEYS[5], 'departed') or '0')

local probe = 0
if ARGV[3] ~= '' then
  -- A ticket '<visitor>.<seq>' waits while its visitor waits under that sequence (prelude.lua's ticket_parts).
  local visitor, seq = string.match(ARGV[3], '^(.+)%.(%d+)$')
  if visitor and tonumber(redis.call('ZSCORE', KEYS[1], visitor) or '') == tonumber(seq) then
    probe = redis.call('ZRANK', KEYS[1], visitor) + 1
    if drawing[1] and not drawing[2] and tonumber(seq) >= tonumber(drawing[3]) then
      probe = probe + tonumber(redis.call('HGET', KEYS[6], 'participants'))
    end
  end
end

if ARGV[1] == '' then
  local newest = redis.call('XREVRANGE', KEYS[3], '+', '-', 'COUNT', 1)
  local last = newest[1] and newest[1][1] or '0-0'
  local departed = redis.call('ZRANGE', KEYS[4], '(' .. string.format('%d', front), '+inf', 'BYSCORE')
  return { string.format('%d', front), total, last, 0, probe, departed }
end

local limit = tonumber(ARGV[2])
local entries = redis.call('XRANGE', KEYS[3], '(' .. ARGV[1], '+', 'COUNT', limit)
local last = ARGV[1]
local departures = {}
for _, entry in ipairs(entries) do
  last = entry[1]
  local fields = entry[2]
  local kind, ticket, seq = nil, nil, ''
  for i = 1, #fields, 2 do
    local name = fields[i]
    if name == 'type' then
      kind = fields[i + 1]
    elseif name == 'ticket' then
      ticket = fields[i + 1]
    elseif name == 'seq' then
      seq = fields[i + 1]
    end
  end
  if ticket and (kind == 'abandoned' or kind == 'expired' or kind == 'ended' or kind == 'left') then
    departures[#departures + 1] = kind
    departures[#departures + 1] = ticket
    departures[#departures + 1] = seq
  end
end
return { string.format('%d', front), total, last, #entries == limit and 1 or 0, probe, departures }
