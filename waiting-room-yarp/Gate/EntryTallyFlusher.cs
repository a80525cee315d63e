using StackExchange.Redis;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Yarp.Diagnostics;
using YarpWaitingRoom.Yarp.Rooms;

namespace YarpWaitingRoom.Yarp.Gate;

/// <summary>
/// Once a second, adds each room's <see cref="EntryTally"/> to its shared hash (<see cref="RedisKeys.EntryTally"/>): one
/// pipelined batch of HINCRBYs per room with anything to add, none otherwise.
/// </summary>
internal sealed partial class EntryTallyFlusher(
    RoomRegistry rooms, IConnectionMultiplexer redis, RedisCallPolicy policy, TimeProvider timeProvider, ILogger<EntryTallyFlusher> logger)
    : PerRoomFlusher(rooms, timeProvider, TimeSpan.FromSeconds(1))
{
    internal override async Task FlushAsync(Room room)
    {
        var taken = room.EntryTally.Take();
        if (taken.Length == 0)
        {
            return;
        }

        try
        {
            await policy.RunAsync(async () =>
            {
                var batch = redis.GetDatabase().CreateBatch();
                var writes = taken.Select(entry => batch.HashIncrementAsync(room.Queue.Keys.EntryTally, entry.Name, (long)entry.Value)).ToArray();
                batch.Execute();
                await Task.WhenAll(writes);
            });
        }
        catch (Exception ex) when (RedisCallPolicy.IsRedisFailure(ex))
        {
            room.EntryTally.Restore(taken);
            Log.FlushFailed(logger, room.Name, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.EntryTallyFlushFailed, LogLevel.Warning, "Room {Room}: writing the entry tally failed; kept for the next flush")]
        public static partial void FlushFailed(ILogger logger, string room, Exception exception);
    }
}
