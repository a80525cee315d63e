using Microsoft.Extensions.Options;
using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Redis;

namespace YarpWaitingRoom.Hub.Sessions;

/// <summary>The hub's configured rooms, built once at start.</summary>
internal sealed class RoomDirectory(IOptions<WaitingRoomOptions> options, IConnectionMultiplexer redis, RedisCallPolicy redisCalls, TimeProvider timeProvider)
    : RoomSet<RoomContext>(options.Value, redis, timeProvider, redisCalls, (name, room, queue, state) => new RoomContext(name, room, queue, state));
