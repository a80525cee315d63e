using YarpWaitingRoom.Hosting;
using YarpWaitingRoom.Yarp.Diagnostics;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Traffic;

namespace YarpWaitingRoom.Yarp.Traffic;

/// <summary>
/// Once a second, just after the second turns, adds this instance's counts for the second that ended to the rooms'
/// traffic (<see cref="TrafficStore.FlushAsync"/>: the <c>rate:&lt;epoch-second&gt;</c> hashes, fields see
/// <see cref="RateFields"/>, in one pipelined batch). Every instance adds into the same hashes, so a reader sees the rate
/// of the whole edge tier.
/// </summary>
internal sealed partial class TrafficFlusher(
    TrafficCounter counter,
    TrafficStore store,
    TimeProvider timeProvider,
    ILogger<TrafficFlusher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await DelayToNextSecondAsync(stoppingToken);
            var second = timeProvider.GetUtcNow().ToUnixTimeSeconds() - 1;
            try
            {
                // Stopping does not wait for Redis: at most a second of counts is lost, as when a proxy dies.
                await store.FlushAsync(counter.Drain(), second).WaitOrAbandonAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.FlushFailed(logger, ex);
            }
        }
    }

    private Task DelayToNextSecondAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var intoSecond = TimeSpan.FromTicks(now.UtcTicks % TimeSpan.TicksPerSecond);
        // A few milliseconds past the boundary, so requests finishing at the turn land in the right second.
        return Task.Delay(TimeSpan.FromSeconds(1) - intoSecond + TimeSpan.FromMilliseconds(5), timeProvider, cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.TrafficFlushFailed, LogLevel.Warning, "Traffic flush to Redis failed; this second's counts are dropped")]
        public static partial void FlushFailed(ILogger logger, Exception exception);
    }
}
