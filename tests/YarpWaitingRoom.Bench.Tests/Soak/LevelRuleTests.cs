using YarpWaitingRoom.Bench.Soak;

namespace YarpWaitingRoom.Bench.Tests.Soak;

public sealed class LevelRuleTests
{
    private const double Mb = 1024 * 1024;

    public static TheoryData<string, double[], string> Series => new()
    {
        { "flat", [100, 101, 100, 99, 100, 101, 100, 99, 100, 101, 100, 100], "levels off" },
        { "warm-up then flat", [60, 80, 95, 100, 101, 100, 100, 101, 100, 100, 101, 100], "levels off" },
        { "steady climb", [100, 104, 108, 112, 116, 120, 124, 128, 132, 136, 140, 144], "grows" },
        { "climb in the last half only", [100, 100, 100, 100, 100, 100, 100, 105, 110, 115, 120, 125], "grows" },
        { "step in the middle, flat after", [100, 100, 100, 100, 100, 100, 130, 130, 130, 130, 130, 130], "levels off" },
        { "sawtooth (GC)", [100, 140, 100, 140, 100, 140, 100, 140, 100, 140, 100, 140], "levels off" },
        { "falling", [140, 136, 132, 128, 124, 120, 116, 112, 108, 104, 100, 96], "levels off" },
        { "climb below the threshold", [100, 100.5, 101, 101.5, 102, 102.5, 103, 103.5, 104, 104.5, 105, 105.5], "levels off" },
        { "too short", [100, 200, 300, 400, 500], "too short" },
    };

    [Theory]
    [MemberData(nameof(Series))]
    public void Judge_Series_Verdict(string shape, double[] samples, string expected)
    {
        var judgement = LevelRule.Judge(samples.Select(s => s * Mb).ToArray(), LevelRule.DefaultThreshold, Mb);

        Assert.True(expected == judgement.Label, $"{shape}: {judgement}");
    }

    [Fact]
    public void Judge_ClimbSmallerThanTheFloor_LevelsOff()
    {
        // A 2 MB series that gains 60 % is still less than 1 MiB: allocator noise, not growth.
        double[] samples = [2.0, 2.1, 2.2, 2.3, 2.4, 2.5, 2.6, 2.7, 2.8, 2.9, 3.0, 3.1];

        var judgement = LevelRule.Judge(samples.Select(s => s * Mb).ToArray(), LevelRule.DefaultThreshold, Mb);

        Assert.Equal(LevelVerdict.LevelsOff, judgement.Verdict);
    }

    [Fact]
    public void Judge_SteadyClimb_ReportsTheThirdsAndTheRise()
    {
        double[] samples = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

        var judgement = LevelRule.Judge(samples, threshold: 0.05, floor: 0);

        Assert.Equal(5.5, judgement.MiddleMean, 9);
        Assert.Equal(9.5, judgement.LastMean, 9);
        Assert.Equal(5, judgement.LastHalfRise, 9);
        Assert.Equal(LevelVerdict.Grows, judgement.Verdict);
    }
}
