namespace YarpWaitingRoom.Bench.Soak;

/// <summary>
/// Whether a soak series levels off or grows, as a pure function of its samples. The first third is warm-up (JIT, pools,
/// the GC sizing its heap) and is not judged. A series <b>grows</b> when both hold:
/// <list type="number">
/// <item>the mean of the last third exceeds the mean of the middle third by more than the allowance, and</item>
/// <item>the least-squares line through the last half still rises by more than the allowance over that half;</item>
/// </list>
/// otherwise it <b>levels off</b> (a step that flattened, a sawtooth, noise). The allowance is
/// <c>max(threshold × middle mean, floor)</c>: 5 % by default, and at least 1 MiB for byte series, so a few hundred KB
/// of allocator noise in a small series is not growth. Fewer than <see cref="MinSamples"/> samples are not judged.
/// </summary>
internal static class LevelRule
{
    public const int MinSamples = 6;

    public const double DefaultThreshold = 0.05;

    public static LevelJudgement Judge(IReadOnlyList<double> samples, double threshold, double floor)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var n = samples.Count;
        if (n < MinSamples)
        {
            return new LevelJudgement(LevelVerdict.TooShort, double.NaN, double.NaN, double.NaN, double.NaN);
        }

        var middle = Mean(samples, n / 3, 2 * n / 3);
        var last = Mean(samples, 2 * n / 3, n);
        var halfStart = n / 2;
        var rise = Slope(samples, halfStart, n) * (n - 1 - halfStart);
        var allowance = Math.Max(threshold * Math.Abs(middle), floor);
        var grows = last - middle > allowance && rise > allowance;
        return new LevelJudgement(grows ? LevelVerdict.Grows : LevelVerdict.LevelsOff, middle, last, rise, allowance);
    }

    private static double Mean(IReadOnlyList<double> samples, int from, int to)
    {
        var sum = 0.0;
        for (var i = from; i < to; i++)
        {
            sum += samples[i];
        }

        return sum / (to - from);
    }

    /// <summary>Least-squares slope per sample over <c>[from, to)</c>.</summary>
    private static double Slope(IReadOnlyList<double> samples, int from, int to)
    {
        var count = to - from;
        var meanX = (from + to - 1) / 2.0;
        var meanY = Mean(samples, from, to);
        double covariance = 0, variance = 0;
        for (var i = from; i < to; i++)
        {
            covariance += (i - meanX) * (samples[i] - meanY);
            variance += (i - meanX) * (i - meanX);
        }

        return count < 2 || variance == 0 ? 0 : covariance / variance;
    }
}
