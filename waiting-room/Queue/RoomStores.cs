using System.Collections.Frozen;
using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Switch;

namespace YarpWaitingRoom.Queue;

/// <summary>The configured rooms, each with its queue and switch stores, built once at start (proxy and hub alike).</summary>
public static class RoomStores
{
    /// <summary>Builds every configured room; each store's Redis calls run through <paramref name="policy"/>.</summary>
    public static FrozenDictionary<string, TRoom> Build<TRoom>(
        WaitingRoomOptions options,
        IConnectionMultiplexer redis,
        TimeProvider timeProvider,
        RedisCallPolicy policy,
        Func<string, RoomOptions, QueueStore, SwitchStore, TRoom> create)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(create);
        return options.Rooms.ToFrozenDictionary(
            r => r.Key,
            r =>
            {
                var queue = new QueueStore(redis, r.Key, r.Value, timeProvider, policy);
                return create(r.Key, r.Value, queue, new SwitchStore(redis, queue.Keys, r.Value, policy));
            },
            StringComparer.Ordinal);
    }
}
