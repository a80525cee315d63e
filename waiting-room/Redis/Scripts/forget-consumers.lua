-- Delete from a stream's consumer group the consumers of instances that are gone, in one atomic step: every consumer but
-- the caller that has nothing pending and has been idle for at least ARGV[3] ms. One step, because a consumer delivered
-- entries between a look and a delete would lose them (DELCONSUMER drops its pending entries); here nothing can come
-- between. Redis before 7.2 refreshes a consumer's idle time only when it is delivered entries, so a live instance that
-- had nothing to read for that long goes too: it loses nothing (nothing was pending) and its next delivery creates it
-- again.
-- KEYS[1] stream   ARGV[1] group   ARGV[2] the caller's consumer name (kept)   ARGV[3] idle at least (ms)
-- Returns the names deleted.
local deleted = {}
for _, consumer in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
  local fields = {}
  for i = 1, #consumer, 2 do
    fields[consumer[i]] = consumer[i + 1]
  end
  if fields.name ~= ARGV[2] and tonumber(fields.pending) == 0 and tonumber(fields.idle) >= tonumber(ARGV[3]) then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], fields.name)
    deleted[#deleted + 1] = fields.name
  end
end
return deleted
