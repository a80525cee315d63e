using YarpWaitingRoom.Hosting;
using YarpWaitingRoom.Yarp.Diagnostics;
using YarpWaitingRoom.Yarp.Rooms;

namespace YarpWaitingRoom.Yarp.Admission;

/// <summary>
/// Removes visitors not seen for AbandonAfter, several times per AbandonAfter so nobody lingers much past it. The reap
/// script is atomic and idempotent, so every instance may run it: no lock needed. Freed active slots are published by
/// the script, and the schedulers admit the next visitors at once.
/// </summary>
internal sealed partial class Reaper(RoomRegistry rooms, RoomMetrics metrics, TimeProvider timeProvider, ILogger<Reaper> logger) : BackgroundService
{
    public static readonly TimeSpan MaxInterval = TimeSpan.FromSeconds(5);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(rooms.All.Select(room => RunRoomAsync(room, stoppingToken)));

    private async Task RunRoomAsync(Room room, CancellationToken stoppingToken)
    {
        var interval = room.Options.AbandonAfter / 4 < MaxInterval ? room.Options.AbandonAfter / 4 : MaxInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(interval, timeProvider, stoppingToken);
            // The reap script is atomic: stopping need not wait for its answer (the run logs its own failures).
            await ReapOnceAsync(room).WaitOrAbandonAsync(stoppingToken);
        }
    }

    internal async Task ReapOnceAsync(Room room)
    {
        try
        {
            var result = await room.Queue.ReapAsync();
            metrics.NetworksAtTheCap(room.Name, result.NetworksAtCap);
            if (result.Reaped > 0)
            {
                metrics.Reaped(room.Name, result.Reaped);
                Log.Reaped(logger, room.Name, result.Reaped, result.FreedActive);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.Failed(logger, room.Name, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.Reaped, LogLevel.Information, "Room {Room}: {Reaped} visitors abandoned their place ({Freed} active slots freed)")]
        public static partial void Reaped(ILogger logger, string room, int reaped, int freed);

        [LoggerMessage(EventIds.ReapFailed, LogLevel.Warning, "Room {Room}: reaping failed; retrying at the next tick")]
        public static partial void Failed(ILogger logger, string room, Exception exception);
    }
}
