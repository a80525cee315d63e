using System.Globalization;

namespace YarpWaitingRoom.Bench.Scenarios;

/// <summary>
/// The sell-out rehearsal's figures (issue 15), from what the run observed, every time in ms from the run's start:
/// (a) admissions after the last seat went, and those that took the active above <c>ceil(AdmitPerSeat × remaining)</c>;
/// (b) from the last seat to each waiting socket's <c>soldout</c>; (c) from seats coming back to the next admission.
/// </summary>
internal sealed record SelloutFigures
{
    /// <summary>The goal of (b): p99 of the time to hear sold out.</summary>
    public const double SoldOutGoalMs = 1000;

    /// <summary>When the last seat went (the answer that took it reached the bench); null: it never sold out.</summary>
    public double? SoldOutAtMs { get; init; }

    public int AdmittedAfterSoldOut { get; init; }

    public int AdmittedBeyondBound { get; init; }

    /// <summary>Sockets waiting when the last seat went.</summary>
    public int Waiting { get; init; }

    public int Heard { get; init; }

    /// <summary>Waiting sockets that got more than one <c>soldout</c> in the one sold-out spell.</summary>
    public int Repeated { get; init; }

    public double? SoldOutP50Ms { get; init; }

    public double? SoldOutP99Ms { get; init; }

    public double? SoldOutMaxMs { get; init; }

    /// <summary>When the first released hold's answer reached the bench; null: nothing was released.</summary>
    public double? ReleasedAtMs { get; init; }

    public int AdmittedAfterRelease { get; init; }

    public double? FirstAdmissionAfterReleaseMs { get; init; }

    public int Unheard => Waiting - Heard;

    /// <summary>(a): it sold out, nobody was admitted after that and no admission took the active above the bound.</summary>
    public bool AdmissionGoalMet => SoldOutAtMs is not null && AdmittedAfterSoldOut == 0 && AdmittedBeyondBound == 0;

    /// <summary>(b): every waiting socket heard it, the 99th percentile within a second.</summary>
    public bool SoldOutGoalMet => Waiting > 0 && Unheard == 0 && SoldOutP99Ms <= SoldOutGoalMs;

    /// <summary>
    /// The figures. An admission counts after sold out when its notice arrived after <paramref name="soldOutAtMs"/> and
    /// before <paramref name="releasedAtMs"/> (from then on seats are back). Beyond the bound: between two consecutive
    /// samples, the rise of the active that ends above <c>ceil(<paramref name="admitPerSeat"/> × remaining)</c>, the
    /// remaining taken as the larger of the two samples' (the admission happened somewhere between; seats only go
    /// while selling), so no lag of the bench's own sampling is counted against the room.
    /// </summary>
    public static SelloutFigures Compute(
        double? soldOutAtMs,
        IReadOnlyList<SoldOutHearing> waiting,
        IReadOnlyList<double> admissionsMs,
        double? releasedAtMs,
        IReadOnlyList<RoomSample> samples,
        double admitPerSeat)
    {
        ArgumentNullException.ThrowIfNull(waiting);
        ArgumentNullException.ThrowIfNull(admissionsMs);
        ArgumentNullException.ThrowIfNull(samples);
        var delays = new List<double>(waiting.Count);
        var repeated = 0;
        if (soldOutAtMs is { } soldOut)
        {
            foreach (var socket in waiting)
            {
                if (socket.HeardAtMs is { } heard)
                {
                    delays.Add(heard - soldOut);
                }

                if (socket.Notices > 1)
                {
                    repeated++;
                }
            }
        }

        delays.Sort();
        var afterSoldOut = 0;
        var afterRelease = 0;
        double? firstAfterRelease = null;
        foreach (var at in admissionsMs)
        {
            if (releasedAtMs is { } released && at >= released)
            {
                afterRelease++;
                firstAfterRelease = firstAfterRelease is { } first ? Math.Min(first, at - released) : at - released;
            }
            else if (soldOutAtMs is { } sold && at > sold)
            {
                afterSoldOut++;
            }
        }

        return new SelloutFigures
        {
            SoldOutAtMs = soldOutAtMs,
            AdmittedAfterSoldOut = afterSoldOut,
            AdmittedBeyondBound = BeyondBound(samples, admitPerSeat, releasedAtMs),
            Waiting = soldOutAtMs is null ? 0 : waiting.Count,
            Heard = delays.Count,
            Repeated = repeated,
            SoldOutP50Ms = Percentile(delays, 50),
            SoldOutP99Ms = Percentile(delays, 99),
            SoldOutMaxMs = delays.Count == 0 ? null : delays[^1],
            ReleasedAtMs = releasedAtMs,
            AdmittedAfterRelease = afterRelease,
            FirstAdmissionAfterReleaseMs = firstAfterRelease,
        };
    }

    /// <summary>Nearest rank: the smallest value with at least <paramref name="percentile"/> % of them at or below it.</summary>
    public static double? Percentile(IReadOnlyList<double> sorted, double percentile)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        return sorted.Count == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(percentile / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    /// <summary>The summary's table: each figure, what was measured, the goal, and whether it was met.</summary>
    public IEnumerable<string> Table()
    {
        var soldOut = SoldOutAtMs is null ? "never sold out" : Ms(SoldOutAtMs) + " into the run";
        yield return $"  {"figure",-44} {"measured",-44} {"goal",-22} verdict";
        yield return Row("last seat gone", soldOut, "-", "-");
        yield return Row("(a) admitted after sold out", Count(AdmittedAfterSoldOut), "0", Verdict(SoldOutAtMs is not null && AdmittedAfterSoldOut == 0));
        yield return Row("(a) admissions above ceil(AdmitPerSeat x left)", Count(AdmittedBeyondBound), "0", Verdict(AdmittedBeyondBound == 0));
        yield return Row("(b) waiting sockets at sold out / heard it", $"{Count(Waiting)} / {Count(Heard)} ({Count(Repeated)} more than once)", "all, once each", Verdict(Waiting > 0 && Unheard == 0 && Repeated == 0));
        yield return Row("(b) last seat -> soldout p50 / p99 / max", $"{Ms(SoldOutP50Ms)} / {Ms(SoldOutP99Ms)} / {Ms(SoldOutMaxMs)}", "p99 <= 1000 ms", Verdict(SoldOutGoalMet));
        yield return Row("(c) seats back -> next admission", ReleasedAtMs is null ? "nothing released" : $"{Ms(FirstAdmissionAfterReleaseMs)} ({Count(AdmittedAfterRelease)} admitted)", "(no goal set)", "-");
    }

    private static string Row(string figure, string measured, string goal, string verdict) =>
        $"  {figure,-44} {measured,-44} {goal,-22} {verdict}";

    private static string Verdict(bool met) => met ? "met" : "MISSED";

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Ms(double? value) => value is { } ms ? ms.ToString("0", CultureInfo.InvariantCulture) + " ms" : "-";

    private static int BeyondBound(IReadOnlyList<RoomSample> samples, double admitPerSeat, double? releasedAtMs)
    {
        if (admitPerSeat <= 0)
        {
            return 0;
        }

        var beyond = 0L;
        for (var i = 1; i < samples.Count; i++)
        {
            var (before, after) = (samples[i - 1], samples[i]);
            if (releasedAtMs is { } released && after.AtMs >= released)
            {
                // Seats come back: the remaining rises and the bench's tally no longer bounds the room's from above.
                break;
            }

            var rise = after.Active - before.Active;
            var bound = (long)Math.Ceiling(admitPerSeat * Math.Max(before.Remaining, after.Remaining) - 1e-9);
            if (rise > 0 && after.Active > bound)
            {
                beyond += Math.Min(rise, after.Active - bound);
            }
        }

        return (int)beyond;
    }
}
