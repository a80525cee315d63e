using YarpWaitingRoom.Stats;

namespace YarpWaitingRoom.Queue;

/// <summary>
/// Bucket bounds for time in queue, shared by the admit script's per-minute stats and the Prometheus histogram,
/// so both agree on what "waited up to 30 s" means.
/// </summary>
internal static class WaitBuckets
{
    /// <summary>Upper bounds, ascending; one open bucket above the last.</summary>
    public static readonly TimeSpan[] Bounds =
        [.. new double[] { 1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1200, 1800, 3600 }.Select(TimeSpan.FromSeconds)];

    /// <summary>The bounds in seconds (Prometheus histogram buckets).</summary>
    public static readonly double[] BoundsInSeconds = [.. Bounds.Select(b => b.TotalSeconds)];

    /// <summary>The median wait in seconds of a bucketed histogram; null when empty.</summary>
    public static double? Median(IReadOnlyList<long> counts) => BucketQuantile.Of(BoundsInSeconds, counts, 0.5);
}
