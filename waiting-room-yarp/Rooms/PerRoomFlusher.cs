using YarpWaitingRoom.Hosting;

namespace YarpWaitingRoom.Yarp.Rooms;

/// <summary>
/// Once every <c>interval</c>, writes what this proxy gathered in memory for each room to Redis
/// (<see cref="FlushAsync"/>: one call per room and flush, whatever the number of requests behind it). Stopping does not
/// wait for Redis: at most one interval's worth is lost, as when a proxy dies.
/// </summary>
internal abstract class PerRoomFlusher(RoomRegistry rooms, TimeProvider timeProvider, TimeSpan interval) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, timeProvider);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var room in rooms.All)
            {
                await FlushAsync(room).WaitOrAbandonAsync(stoppingToken);
            }
        }
    }

    /// <summary>Writes the room's pending state, if any; a failure is logged and what was pending kept for the next flush.</summary>
    internal abstract Task FlushAsync(Room room);
}
