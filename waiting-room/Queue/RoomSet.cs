using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Switch;

namespace YarpWaitingRoom.Queue;

/// <summary>
/// The configured rooms, each with its queue and switch stores (their Redis calls under one <see cref="RedisCallPolicy"/>),
/// built once at start. A host derives its own registry from it with its own per-room type: the proxy's rooms carry the
/// gate's cached state, the hub's their local sessions.
/// </summary>
/// <typeparam name="TRoom">What the host keeps per room.</typeparam>
internal abstract class RoomSet<TRoom>
    where TRoom : class
{
    private readonly FrozenDictionary<string, TRoom> _rooms;

    protected RoomSet(
        WaitingRoomOptions options,
        IConnectionMultiplexer redis,
        TimeProvider timeProvider,
        RedisCallPolicy policy,
        Func<string, RoomOptions, QueueStore, SwitchStore, TRoom> create)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(create);
        _rooms = options.Rooms.ToFrozenDictionary(
            r => r.Key,
            r =>
            {
                var queue = new QueueStore(redis, r.Key, r.Value, timeProvider, policy);
                return create(r.Key, r.Value, queue, new SwitchStore(redis, queue.Keys, r.Value, policy));
            },
            StringComparer.Ordinal);
    }

    public IEnumerable<TRoom> All => _rooms.Values;

    /// <summary>The room named <paramref name="name"/>; false for a name that is not configured (or null).</summary>
    public bool TryGet([NotNullWhen(true)] string? name, [MaybeNullWhen(false)] out TRoom room)
    {
        if (name is null)
        {
            room = null;
            return false;
        }

        return _rooms.TryGetValue(name, out room);
    }
}
