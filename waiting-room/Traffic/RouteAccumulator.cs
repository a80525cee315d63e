using System.Globalization;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Stats;

namespace YarpWaitingRoom.Traffic;

/// <summary>Sums one route's <see cref="RateFields"/> over the seconds of a window (<see cref="TrafficStore.ReadRoutesAsync"/>).</summary>
internal sealed class RouteAccumulator
{
    private readonly long[] _buckets = new long[RateFields.LatencyBoundsMs.Length + 1];
    private long _count;
    private long _micros;

    /// <summary>Adds one field's value; <paramref name="field"/> is what follows the route's <see cref="RateFields.Separator"/>.</summary>
    public void Add(ReadOnlySpan<char> field, long value)
    {
        if (field.SequenceEqual(RateFields.CountSuffix))
        {
            _count += value;
        }
        else if (field.SequenceEqual(RateFields.MicrosSuffix))
        {
            _micros += value;
        }
        else if (field.StartsWith(RateFields.BucketPrefix, StringComparison.Ordinal)
            && int.TryParse(field[RateFields.BucketPrefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var bucket)
            && bucket < _buckets.Length)
        {
            _buckets[bucket] += value;
        }
    }

    public RouteTraffic ToTraffic(string room, string route, int windowSeconds) => new(
        room,
        route,
        _count,
        Math.Round(_count / (double)windowSeconds, 2),
        _count == 0 ? null : Math.Round(_micros / 1000d / _count, 3),
        BucketQuantile.Of(RateFields.LatencyBoundsMs, _buckets, 0.95) is { } p95 ? Math.Round(p95, 3) : null);
}
