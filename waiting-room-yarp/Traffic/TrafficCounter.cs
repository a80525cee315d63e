using System.Collections.Concurrent;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Traffic;

namespace YarpWaitingRoom.Yarp.Traffic;

/// <summary>
/// Per-instance request counts, time and latency buckets per room and route, in memory: three interlocked adds per
/// request and nothing else. <see cref="TrafficFlusher"/> drains it into Redis once a second.
/// </summary>
internal sealed class TrafficCounter
{
    private readonly ConcurrentDictionary<(string Room, string Route), Cell> _cells = new();

    /// <summary>The counts of one room's route: look it up once and record into it (<see cref="Cell.Record"/>).</summary>
    public Cell CellOf(string room, string routeId) => _cells.GetOrAdd((room, routeId), static _ => new Cell());

    /// <summary>Takes the counts since the last drain, resetting them.</summary>
    public List<TrafficSampleRow> Drain()
    {
        var rows = new List<TrafficSampleRow>(_cells.Count);
        foreach (var ((room, route), cell) in _cells)
        {
            var count = Interlocked.Exchange(ref cell.Count, 0);
            var ticks = Interlocked.Exchange(ref cell.ElapsedTicks, 0);
            var buckets = new long[cell.Buckets.Length];
            for (var i = 0; i < buckets.Length; i++)
            {
                buckets[i] = Interlocked.Exchange(ref cell.Buckets[i], 0);
            }

            if (count > 0)
            {
                rows.Add(new TrafficSampleRow(room, route, count, TimeSpan.FromTicks(ticks), buckets));
            }
        }

        return rows;
    }

    /// <summary>One room's route: never removed (a drain resets it), so a reference to it stays good.</summary>
    internal sealed class Cell
    {
        public readonly long[] Buckets = new long[RateFields.LatencyBoundsMs.Length + 1];
        public long Count;
        public long ElapsedTicks;

        /// <summary>Counts one request that took <paramref name="elapsed"/>.</summary>
        public void Record(TimeSpan elapsed)
        {
            Interlocked.Increment(ref Count);
            Interlocked.Add(ref ElapsedTicks, elapsed.Ticks);
            Interlocked.Increment(ref Buckets[RateFields.BucketOf(elapsed)]);
        }
    }
}
