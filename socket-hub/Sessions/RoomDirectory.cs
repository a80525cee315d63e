using System.Collections.Frozen;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Switch;

namespace YarpWaitingRoom.SocketHub.Sessions;

/// <summary>The configured rooms, built once at start.</summary>
internal sealed class RoomDirectory
{
    private readonly FrozenDictionary<string, RoomContext> _rooms;

    public RoomDirectory(IOptions<WaitingRoomOptions> options, IConnectionMultiplexer redis, TimeProvider timeProvider)
    {
        _rooms = options.Value.Rooms.ToFrozenDictionary(
            r => r.Key,
            r =>
            {
                var queue = new QueueStore(redis, r.Key, r.Value, timeProvider);
                return new RoomContext(r.Key, r.Value, queue, new SwitchStore(redis, queue.Keys, r.Value));
            },
            StringComparer.Ordinal);
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
