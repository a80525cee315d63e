using System.Globalization;

namespace YarpWaitingRoom.Redis;

/// <summary>
/// Field names of the per-second <c>rate:&lt;epoch-second&gt;</c> hashes that every edge instance adds its counts to:
/// <c>total</c>, and per route <c>&lt;route&gt;|n</c> (calls), <c>&lt;route&gt;|us</c> (microseconds) and
/// <c>&lt;route&gt;|b&lt;i&gt;</c> (calls per latency bucket of <see cref="LatencyBoundsMs"/>, plus the open bucket).
/// Written and read only by <see cref="Traffic.TrafficStore"/> (and <c>total</c> by the switch).
/// </summary>
internal static class RateFields
{
    /// <summary>All requests at the room's gated routes.</summary>
    public const string Total = "total";

    /// <summary>Between a route's name and what its field counts (route ids may contain it: the last one counts).</summary>
    internal const char Separator = '|';

    /// <summary>What follows <see cref="Separator"/> in <see cref="Count"/>.</summary>
    internal const string CountSuffix = "n";

    /// <summary>What follows <see cref="Separator"/> in <see cref="Micros"/>.</summary>
    internal const string MicrosSuffix = "us";

    /// <summary>What follows <see cref="Separator"/> in <see cref="Bucket"/>, before the bucket's index.</summary>
    internal const string BucketPrefix = "b";

    /// <summary>Latency bucket upper bounds in milliseconds, ascending.</summary>
    public static readonly double[] LatencyBoundsMs = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

    private static readonly string[] BucketSuffixes =
        [.. Enumerable.Range(0, LatencyBoundsMs.Length + 1).Select(i => Separator + BucketPrefix + i.ToString(CultureInfo.InvariantCulture))];

    /// <summary>Requests at one route.</summary>
    public static string Count(string route) => route + Separator + CountSuffix;

    /// <summary>Total elapsed microseconds at one route.</summary>
    public static string Micros(string route) => route + Separator + MicrosSuffix;

    /// <summary>Requests at one route that took up to bucket <paramref name="index"/>'s bound.</summary>
    public static string Bucket(string route, int index) => route + BucketSuffixes[index];

    /// <summary>The latency bucket of <paramref name="elapsed"/>.</summary>
    public static int BucketOf(TimeSpan elapsed)
    {
        var ms = elapsed.TotalMilliseconds;
        for (var i = 0; i < LatencyBoundsMs.Length; i++)
        {
            if (ms <= LatencyBoundsMs[i])
            {
                return i;
            }
        }

        return LatencyBoundsMs.Length;
    }
}
