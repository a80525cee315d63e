namespace YarpWaitingRoom.Bench;

/// <summary>Per-worker latency samples (no locks on the hot path), merged once at the end.</summary>
internal sealed class LatencyRecorder
{
    private readonly List<long>[] _samples;

    public LatencyRecorder(int workers)
    {
        _samples = new List<long>[workers];
        for (var i = 0; i < workers; i++)
        {
            _samples[i] = new List<long>(4096);
        }
    }

    public void Record(int worker, long elapsedTicks) => _samples[worker].Add(elapsedTicks);

    public long[] Sorted()
    {
        var all = _samples.SelectMany(s => s).ToArray();
        Array.Sort(all);
        return all;
    }

    public static double PercentileMs(long[] sorted, double percentile)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var index = (int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1;
        return TimeSpanFromTicks(sorted[Math.Clamp(index, 0, sorted.Length - 1)]);
    }

    private static double TimeSpanFromTicks(long stopwatchTicks) =>
        stopwatchTicks * 1000.0 / System.Diagnostics.Stopwatch.Frequency;
}
