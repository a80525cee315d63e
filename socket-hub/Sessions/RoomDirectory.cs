using System.Collections.Frozen;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Redis;

namespace YarpWaitingRoom.SocketHub.Sessions;

/// <summary>The configured rooms, built once at start.</summary>
internal sealed class RoomDirectory
{
    private readonly FrozenDictionary<string, RoomContext> _rooms;

    public RoomDirectory(IOptions<WaitingRoomOptions> options, IConnectionMultiplexer redis, RedisCallPolicy redisCalls, TimeProvider timeProvider)
    {
        _rooms = RoomStores.Build(options.Value, redis, timeProvider, redisCalls, (name, room, queue, state) => new RoomContext(name, room, queue, state));
    }

    public IEnumerable<RoomContext> All => _rooms.Values;

    public bool TryGet(string? name, out RoomContext room)
    {
        if (name is null)
        {
            room = null!;
            return false;
        }

        return _rooms.TryGetValue(name, out room!);
    }
}
