namespace YarpWaitingRoom.Stats;

/// <summary>Quantiles of bucketed histograms (counts per upper bound, plus one open bucket above the last bound).</summary>
internal static class BucketQuantile
{
    /// <summary>
    /// The <paramref name="quantile"/> (0..1) interpolated linearly inside its bucket, as Prometheus's histogram_quantile
    /// does; null when the histogram is empty. A quantile in the open bucket reports the last bound.
    /// </summary>
    public static double? Of(IReadOnlyList<double> bounds, IReadOnlyList<long> counts, double quantile)
    {
        ArgumentNullException.ThrowIfNull(bounds);
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentOutOfRangeException.ThrowIfLessThan(quantile, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quantile, 1);

        long total = 0;
        foreach (var c in counts)
        {
            total += c;
        }

        if (total == 0)
        {
            return null;
        }

        var rank = total * quantile;
        long seen = 0;
        for (var i = 0; i < counts.Count; i++)
        {
            if (counts[i] > 0 && seen + counts[i] >= rank)
            {
                if (i >= bounds.Count)
                {
                    return bounds[^1];
                }

                var lower = i == 0 ? 0 : bounds[i - 1];
                return lower + (bounds[i] - lower) * ((rank - seen) / counts[i]);
            }

            seen += counts[i];
        }

        return bounds[^1];
    }
}
