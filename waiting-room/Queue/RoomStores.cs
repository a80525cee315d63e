using System.Collections.Frozen;
using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Switch;

namespace YarpWaitingRoom.Queue;

/// <summary>The configured rooms, each with its queue and switch stores, built once at start (proxy and hub alike).</summary>
public static class RoomStores
{
    public static FrozenDictionary<string, TRoom> Build<TRoom>(
        WaitingRoomOptions options,
        IConnectionMultiplexer redis,
        TimeProvider timeProvider,
        Func<string, RoomOptions, QueueStore, SwitchStore, TRoom> create)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(create);
        return options.Rooms.ToFrozenDictionary(
            r => r.Key,
            r =>
            {
                var queue = new QueueStore(redis, r.Key, r.Value, timeProvider);
                return create(r.Key, r.Value, queue, new SwitchStore(redis, queue.Keys, r.Value));
            },
            StringComparer.Ordinal);
    }
}
