using StackExchange.Redis;
using YarpWaitingRoom.Proxy.Diagnostics;
using YarpWaitingRoom.Proxy.Gate;
using YarpWaitingRoom.Proxy.Rooms;
using YarpWaitingRoom.Redis;

namespace YarpWaitingRoom.Proxy.Traffic;

/// <summary>
/// Once a second, just after the second turns, adds this instance's counts for the second that ended to the room's
/// <c>rate:&lt;epoch-second&gt;</c> hash (fields see <see cref="RateFields"/>), in one pipelined
/// batch. Every instance adds into the same hash, so a reader sees the rate of the whole edge tier.
/// </summary>
internal sealed partial class TrafficFlusher(
    TrafficCounter counter,
    RoomRegistry rooms,
    IConnectionMultiplexer redis,
    TimeProvider timeProvider,
    ILogger<TrafficFlusher> logger) : BackgroundService
{
    /// <summary>How long per-second rate hashes are kept (the admin API reads the last minute, dashboards more).</summary>
    public static readonly TimeSpan RateRetention = TimeSpan.FromMinutes(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var keys = rooms.All.ToDictionary(r => r.Name, r => r.Queue.Keys, StringComparer.Ordinal);
        while (!stoppingToken.IsCancellationRequested)
        {
            await DelayToNextSecondAsync(stoppingToken);
            var second = timeProvider.GetUtcNow().ToUnixTimeSeconds() - 1;
            try
            {
                // Stopping does not wait for Redis: at most a second of counts is lost, as when a proxy dies.
                await FlushAsync(keys, second).WaitOrAbandonAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.FlushFailed(logger, ex.Message);
            }
        }
    }

    internal async Task FlushAsync(IReadOnlyDictionary<string, RedisKeys> keys, long second)
    {
        var rows = counter.Drain();
        if (rows.Count == 0)
        {
            return;
        }

        var batch = redis.GetDatabase().CreateBatch();
        var pending = new List<Task>(rows.Count * 3 + keys.Count);
        var touched = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var key = keys[row.Room].Rate(second);
            pending.Add(batch.HashIncrementAsync(key, RateFields.Total, row.Count));
            pending.Add(batch.HashIncrementAsync(key, RateFields.Count(row.Route), row.Count));
            pending.Add(batch.HashIncrementAsync(key, RateFields.Micros(row.Route), row.Elapsed.Ticks / TimeSpan.TicksPerMicrosecond));
            for (var b = 0; b < row.Buckets.Count; b++)
            {
                if (row.Buckets[b] > 0)
                {
                    pending.Add(batch.HashIncrementAsync(key, RateFields.Bucket(row.Route, b), row.Buckets[b]));
                }
            }
            if (touched.Add(row.Room))
            {
                pending.Add(batch.KeyExpireAsync(key, RateRetention));
            }
        }

        batch.Execute();
        await Task.WhenAll(pending);
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
        [LoggerMessage(EventIds.TrafficFlushFailed, LogLevel.Warning, "Traffic flush to Redis failed ({Message}); this second's counts are dropped")]
        public static partial void FlushFailed(ILogger logger, string message);
    }
}
