using Microsoft.Extensions.Options;
using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Redis;

namespace YarpWaitingRoom.Yarp.Rooms;

/// <summary>The proxy's configured rooms, built once at start.</summary>
internal sealed class RoomRegistry(IOptions<WaitingRoomOptions> options, IConnectionMultiplexer redis, RedisCallPolicy redisCalls, TimeProvider timeProvider)
    : RoomSet<Room>(options.Value, redis, timeProvider, redisCalls, (name, room, queue, state) => new Room(name, room, queue, state, timeProvider.GetUtcNow()));
