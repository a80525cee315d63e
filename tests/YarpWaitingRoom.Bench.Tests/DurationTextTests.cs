namespace YarpWaitingRoom.Bench.Tests;

public sealed class DurationTextTests
{
    [Theory]
    [InlineData("90", 90)]
    [InlineData("90s", 90)]
    [InlineData("5m", 300)]
    [InlineData("2h", 7200)]
    [InlineData("1h30m", 5400)]
    [InlineData("1m30s", 90)]
    [InlineData(" 30m ", 1800)]
    public void TryParse_Duration_IsSeconds(string text, int seconds)
    {
        Assert.True(DurationText.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("m")]
    [InlineData("5x")]
    [InlineData("30m1h")]
    [InlineData("5m5m")]
    [InlineData("-5m")]
    [InlineData("5 m")]
    public void TryParse_NotADuration_IsFalse(string? text) => Assert.False(DurationText.TryParse(text, out _));
}
