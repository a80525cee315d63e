-- Redeem a one-time entry code: the admitted visitor's session starts (its expiry moves from the claim deadline
-- to a full session).
-- KEYS[1] used-code marker (string)   KEYS[2] active
-- ARGV[1] ticket   ARGV[2] session expiry (ms)   ARGV[3] marker TTL (ms), longer than the code's own lifetime
-- Returns 1 redeemed, 0 code already used, -1 the admission is gone (claim window passed, ended, reaped).
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  return -1
end
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[3]) then
  return 0
end
redis.call('ZADD', KEYS[2], 'XX', ARGV[2], ARGV[1])
return 1
