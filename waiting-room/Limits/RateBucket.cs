using StackExchange.Redis;

namespace YarpWaitingRoom.Limits;

/// <summary>One site-wide bucket: its key (from <see cref="Redis.RateLimitKeys"/>), its sustained rate and its burst.</summary>
internal readonly record struct RateBucket(RedisKey Key, int PerSecond, int Burst);
