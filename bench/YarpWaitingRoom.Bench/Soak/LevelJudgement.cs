namespace YarpWaitingRoom.Bench.Soak;

/// <summary>
/// <see cref="LevelRule"/>'s verdict and the figures behind it: the means of the middle and last thirds, and the rise of
/// the least-squares line through the last half (slope times the half's span), all in the series' unit.
/// </summary>
internal sealed record LevelJudgement(LevelVerdict Verdict, double MiddleMean, double LastMean, double LastHalfRise, double Allowance)
{
    /// <summary>Last third over middle third, as a fraction (0.08 = 8 % higher); NaN when the middle mean is 0.</summary>
    public double Change => MiddleMean == 0 ? double.NaN : (LastMean - MiddleMean) / MiddleMean;

    public string Label => Verdict switch
    {
        LevelVerdict.Grows => "grows",
        LevelVerdict.LevelsOff => "levels off",
        _ => "too short",
    };
}
