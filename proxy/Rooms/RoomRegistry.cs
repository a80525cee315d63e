using System.Collections.Frozen;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Redis;

namespace YarpWaitingRoom.Proxy.Rooms;

/// <summary>The configured rooms, built once at start.</summary>
internal sealed class RoomRegistry
{
    private readonly FrozenDictionary<string, Room> _rooms;

    public RoomRegistry(IOptions<WaitingRoomOptions> options, IConnectionMultiplexer redis, RedisCallPolicy redisCalls, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        var now = timeProvider.GetUtcNow();
        _rooms = RoomStores.Build(options.Value, redis, timeProvider, redisCalls, (name, room, queue, state) => new Room(name, room, queue, state, now));
    }

    public IEnumerable<Room> All => _rooms.Values;

    public bool TryGet(string name, out Room room) => _rooms.TryGetValue(name, out room!);
}
