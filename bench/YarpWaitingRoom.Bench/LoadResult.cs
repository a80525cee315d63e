namespace YarpWaitingRoom.Bench;

/// <summary>What one closed-loop run measured.</summary>
internal sealed record LoadResult(string Target, int Concurrency, double Seconds, long Succeeded, long Failed, double P50Ms, double P95Ms, double P99Ms)
{
    public double PerSecond => Succeeded / Seconds;

    /// <summary>Rounds of one target as one result: total successes over total seconds; latencies as the worst round's (conservative).</summary>
    public static LoadResult Combine(IReadOnlyList<LoadResult> rounds)
    {
        ArgumentNullException.ThrowIfNull(rounds);
        return new LoadResult(
            rounds[0].Target,
            rounds[0].Concurrency,
            rounds.Sum(r => r.Seconds),
            rounds.Sum(r => r.Succeeded),
            rounds.Sum(r => r.Failed),
            rounds.Average(r => r.P50Ms),
            rounds.Max(r => r.P95Ms),
            rounds.Max(r => r.P99Ms));
    }
}
