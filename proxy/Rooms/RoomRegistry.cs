using System.Collections.Frozen;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Switch;

namespace YarpWaitingRoom.Proxy.Rooms;

/// <summary>The configured rooms, built once at start.</summary>
public sealed class RoomRegistry
{
    private readonly FrozenDictionary<string, Room> _rooms;

    public RoomRegistry(IOptions<WaitingRoomOptions> options, IConnectionMultiplexer redis, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        var now = timeProvider.GetUtcNow();
        _rooms = options.Value.Rooms.ToFrozenDictionary(
            r => r.Key,
            r =>
            {
                var queue = new QueueStore(redis, r.Key, r.Value, timeProvider);
                return new Room(r.Key, r.Value, queue, new SwitchStore(redis, queue.Keys, r.Value), now);
            },
            StringComparer.Ordinal);
    }

    public IEnumerable<Room> All => _rooms.Values;

    public bool TryGet(string name, out Room room) => _rooms.TryGetValue(name, out room!);
}
