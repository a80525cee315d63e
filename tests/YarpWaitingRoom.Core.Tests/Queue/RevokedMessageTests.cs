using YarpWaitingRoom.Queue;

namespace YarpWaitingRoom.Tests.Queue;

public sealed class RevokedMessageTests
{
    [Fact]
    public void TryParse_RevokedMessage_GivesTheTimeAndEveryTicket()
    {
        Assert.True(RevokedMessage.TryParse("revoked|1795000000123|t1,t-2_x", out var endedAtMs, out var tickets));

        Assert.Equal(1795000000123, endedAtMs);
        Assert.Equal(["t1", "t-2_x"], tickets);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("freed|1795000000123|1")]
    [InlineData("admitted|1795000000123|t1")]
    [InlineData("state|3")]
    [InlineData("revoked|")]
    [InlineData("revoked||t1")]
    [InlineData("revoked|-5|t1")]
    [InlineData("revoked|12x|t1")]
    [InlineData("revoked|1795000000123|")]
    [InlineData("revoked|1795000000123|,")]
    [InlineData("revoked|1795000000123")]
    public void TryParse_AnyOtherMessage_IsNotARevocation(string? message)
    {
        Assert.False(RevokedMessage.TryParse(message, out var endedAtMs, out var tickets));
        Assert.Equal(0, endedAtMs);
        Assert.Empty(tickets);
    }
}
