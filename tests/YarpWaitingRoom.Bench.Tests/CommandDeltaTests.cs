namespace YarpWaitingRoom.Bench.Tests;

public sealed class CommandDeltaTests
{
    [Fact]
    public void Between_TwoSnapshots_CountsWhatRanMostCallsFirstAndTopByMicrosOrdersByTime()
    {
        var before = new CommandStats(new Dictionary<string, (long, long)> { ["get"] = (10, 100), ["evalsha"] = (1, 5_000), ["info"] = (3, 30) });
        var after = new CommandStats(new Dictionary<string, (long, long)> { ["get"] = (40, 400), ["evalsha"] = (3, 45_000), ["info"] = (3, 30), ["zrange"] = (2, 20) });

        var sut = CommandDelta.Between(before, after);

        Assert.Equal([new CommandDelta("get", 30, 300), new CommandDelta("evalsha", 2, 40_000), new CommandDelta("zrange", 2, 20)], sut);
        Assert.Equal(["evalsha", "get"], CommandDelta.TopByMicros(sut, 2).Select(c => c.Command));
    }
}
