using System.Collections.Frozen;
using StackExchange.Redis;
using YarpWaitingRoom.Redis;

namespace YarpWaitingRoom.Traffic;

/// <summary>
/// The rooms' per-second traffic in Redis: every edge instance adds its counts of the second that ended to the room's
/// <c>rate:&lt;epoch-second&gt;</c> hash (fields see <see cref="RateFields"/>), so a reader sees the whole edge tier.
/// Every call runs through the store's <see cref="RedisCallPolicy"/>. Thread-safe; hold one per process.
/// </summary>
internal sealed class TrafficStore
{
    /// <summary>How long per-second rate hashes are kept (the admin API reads the last minute, dashboards more).</summary>
    public static readonly TimeSpan RateRetention = TimeSpan.FromMinutes(15);

    private readonly IConnectionMultiplexer _redis;
    private readonly FrozenDictionary<string, RedisKeys> _rooms;
    private readonly RedisCallPolicy _policy;

    /// <param name="redis">The process's connection.</param>
    /// <param name="rooms">The configured rooms' names.</param>
    /// <param name="policy">What every Redis call runs through; by default none (<see cref="RedisCallPolicy.PassThrough"/>).</param>
    public TrafficStore(IConnectionMultiplexer redis, IEnumerable<string> rooms, RedisCallPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(rooms);
        _redis = redis;
        _rooms = rooms.ToFrozenDictionary(room => room, room => new RedisKeys(room), StringComparer.Ordinal);
        _policy = policy ?? RedisCallPolicy.PassThrough;
    }

    /// <summary>
    /// Adds <paramref name="rows"/> (one instance's counts) to the rate hashes of <paramref name="second"/>, in one
    /// pipelined batch, and keeps each touched hash for <see cref="RateRetention"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A row names a room this store was not built with.</exception>
    public Task FlushAsync(IReadOnlyList<TrafficSampleRow> rows, long second)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            return Task.CompletedTask;
        }

        var keys = new RedisKey[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            keys[i] = _rooms.TryGetValue(rows[i].Room, out var room)
                ? room.Rate(second)
                : throw new ArgumentException($"Room '{rows[i].Room}' is not one of this store's rooms.", nameof(rows));
        }

        return _policy.RunAsync(() =>
        {
            var batch = _redis.GetDatabase().CreateBatch();
            var pending = new List<Task>((rows.Count * 4) + _rooms.Count);
            var touched = new HashSet<RedisKey>();
            for (var i = 0; i < rows.Count; i++)
            {
                var (key, row) = (keys[i], rows[i]);
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

                if (touched.Add(key))
                {
                    pending.Add(batch.KeyExpireAsync(key, RateRetention));
                }
            }

            batch.Execute();
            return Task.WhenAll(pending);
        });
    }

    /// <summary>
    /// Every route's calls, rate, mean and p95 latency over the <paramref name="windowSeconds"/> whole seconds ending at
    /// <paramref name="lastSecond"/>, all rooms, in one pipelined batch; ordered by room, then route.
    /// </summary>
    public Task<RouteTraffic[]> ReadRoutesAsync(long lastSecond, int windowSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(windowSeconds);
        return _policy.RunAsync(async () =>
        {
            var batch = _redis.GetDatabase().CreateBatch();
            var reads = new List<(string Room, Task<HashEntry[]> Read)>(_rooms.Count * windowSeconds);
            foreach (var (room, keys) in _rooms)
            {
                for (var i = 0; i < windowSeconds; i++)
                {
                    reads.Add((room, batch.HashGetAllAsync(keys.Rate(lastSecond - i))));
                }
            }

            batch.Execute();
            await Task.WhenAll(reads.Select(r => r.Read));
            return Summarize(reads.Select(r => (r.Room, r.Read.Result)), windowSeconds);
        });
    }

    /// <summary>
    /// One room's per-route counters of one second, as flushed by every proxy (the operator console keeps the last minute
    /// of them and reads one new second a tick, rather than the whole minute each time).
    /// </summary>
    public Task<HashEntry[]> ReadSecondAsync(string room, long second) =>
        _policy.RunAsync(() => _redis.GetDatabase().HashGetAllAsync(_rooms[room].Rate(second)));

    /// <summary>Every route's calls, rate, mean and p95 latency from per-second counters (<paramref name="seconds"/>) over a window of <paramref name="windowSeconds"/>.</summary>
    public static RouteTraffic[] Summarize(IEnumerable<(string Room, HashEntry[] Counters)> seconds, int windowSeconds)
    {
        ArgumentNullException.ThrowIfNull(seconds);
        var routes = new SortedDictionary<(string Room, string Route), RouteAccumulator>(RoomRouteOrder.Instance);
        foreach (var (room, counters) in seconds)
        {
            foreach (var entry in counters)
            {
                var name = (string)entry.Name!;
                var separator = name.LastIndexOf(RateFields.Separator);
                if (separator <= 0)
                {
                    continue;
                }

                var key = (room, name[..separator]);
                if (!routes.TryGetValue(key, out var route))
                {
                    routes[key] = route = new RouteAccumulator();
                }

                route.Add(name.AsSpan(separator + 1), (long)entry.Value);
            }
        }

        var traffic = new RouteTraffic[routes.Count];
        var next = 0;
        foreach (var ((room, route), accumulator) in routes)
        {
            traffic[next++] = accumulator.ToTraffic(room, route, windowSeconds);
        }

        return traffic;
    }

    /// <summary>Room, then route, ordinal.</summary>
    private sealed class RoomRouteOrder : IComparer<(string Room, string Route)>
    {
        public static readonly RoomRouteOrder Instance = new();

        public int Compare((string Room, string Route) x, (string Room, string Route) y)
        {
            var byRoom = string.CompareOrdinal(x.Room, y.Room);
            return byRoom != 0 ? byRoom : string.CompareOrdinal(x.Route, y.Route);
        }
    }
}
