namespace YarpWaitingRoom.Bench;

/// <summary>What one closed-loop run measured.</summary>
internal sealed record LoadResult(string Target, int Concurrency, double Seconds, long Succeeded, long Failed, double P50Ms, double P95Ms, double P99Ms)
{
    public double PerSecond => Succeeded / Seconds;
}
