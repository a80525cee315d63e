-- The operator console's timeline: the entries of a room's events stream an operator follows (switches, operator
-- actions, admission batches, draws), without the per-visitor departures, and without the fields that name visitors
-- (a batch's ticket list can be thousands of ids): what crosses the network is a few short entries.
-- KEYS[1] events
-- ARGV[1] '' to read back from the newest entry, else the last id read: read on after it
-- ARGV[2] most stream entries to look at   ARGV[3] most entries to return
-- Returns { last id looked at, entry, entry, ... }, oldest first; entry = { id, field, value, ... } of the kept fields.
-- Reading back, the last id is the newest entry's (read on from it next time), '0-0' for an empty stream.
local kinds = { switched = true, operator = true, admitted = true, drawn = true }
local kept = { type = true, at = true, reason = true, queueOn = true, count = true, participants = true,
  operator = true, action = true, detail = true }
local scan, most = tonumber(ARGV[2]), tonumber(ARGV[3])

local function keep(entry)
  local fields, out, kind = entry[2], { entry[1] }, nil
  for i = 1, #fields, 2 do
    if fields[i] == 'type' then
      kind = fields[i + 1]
    end
    if kept[fields[i]] then
      out[#out + 1] = fields[i]
      out[#out + 1] = fields[i + 1]
    end
  end
  return kind and kinds[kind] and out or nil
end

local found, last = {}, ARGV[1]
if ARGV[1] == '' then
  local entries = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', scan)
  last = entries[1] and entries[1][1] or '0-0'
  for _, entry in ipairs(entries) do
    local item = keep(entry)
    if item then
      table.insert(found, 1, item)
      if #found >= most then
        break
      end
    end
  end
else
  local entries = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', scan)
  for _, entry in ipairs(entries) do
    last = entry[1]
    local item = keep(entry)
    if item then
      found[#found + 1] = item
    end
  end
  while #found > most do
    table.remove(found, 1)
  end
end

local reply = { last }
for _, item in ipairs(found) do
  reply[#reply + 1] = item
end
return reply
