using YarpWaitingRoom.Bench.Scale;

namespace YarpWaitingRoom.Bench.Tests.Scale;

public sealed class KernelLimitsTests
{
    [Fact]
    public void ParsePortRange_SysctlOutput_ReadsBothEnds()
    {
        Assert.Equal((32768, 60999), KernelLimits.ParsePortRange("32768\t60999\n"));
        Assert.Equal(28_232, new KernelLimits(32768, 60999, 0, 0).EphemeralPorts);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("60999 32768")]
    [InlineData("1024")]
    public void ParsePortRange_NotTwoAscendingNumbers_IsNull(string? text) => Assert.Null(KernelLimits.ParsePortRange(text));

    [Fact]
    public void Raise_AskedForLessThanInForce_NeverLowersTheLimit()
    {
        var before = OpenFiles.Current();
        Assert.SkipWhen(before is null, "no open-file limit here (not Linux)");

        var after = OpenFiles.Raise(16);

        Assert.Equal(before!.Value.Soft, after);
    }
}
