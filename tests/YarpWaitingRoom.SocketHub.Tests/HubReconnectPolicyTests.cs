using System.Net.WebSockets;
using YarpWaitingRoom.Testing.Hub;

namespace YarpWaitingRoom.SocketHub.Tests;

/// <summary>The waiting page's reconnect rule as the shared test client plays it (<see cref="HubReconnectPolicy"/>).</summary>
public sealed class HubReconnectPolicyTests
{
    private static readonly HubReconnectPolicy Sut = HubReconnectPolicy.WaitingPage;

    [Fact]
    public void MaxDelayAfter_FailuresInARow_DoublesFromTheBaseUpToTheCap()
    {
        var failures = 0;

        var limits = Enumerable.Range(0, 7).Select(_ => Sut.MaxDelayAfter(end: null, ref failures).TotalSeconds).ToArray();

        Assert.Equal([1, 2, 4, 8, 16, 30, 30], limits);
        Assert.Equal(7, failures);
    }

    [Theory]
    [InlineData(1012)]
    [InlineData(1001)]
    public void MaxDelayAfter_AHandBackOfAGreetedSocket_IsTheShortSpread_AndResetsTheBackoff(int closeCode)
    {
        var failures = 5;

        var limit = Sut.MaxDelayAfter(End((WebSocketCloseStatus)closeCode, greeted: true, TimeSpan.FromSeconds(1)), ref failures);

        Assert.Equal(Sut.HandoverSpread, limit);
        Assert.Equal(0, failures);
    }

    [Fact]
    public void MaxDelayAfter_A1012BeforeAnyGreeting_IsAFailureLikeAnother()
    {
        var failures = 2;

        var limit = Sut.MaxDelayAfter(End((WebSocketCloseStatus)1012, greeted: false, TimeSpan.Zero), ref failures);

        Assert.Equal(TimeSpan.FromSeconds(4), limit);
        Assert.Equal(3, failures);
    }

    [Fact]
    public void MaxDelayAfter_ADropAfterAConnectionThatLasted_StartsTheBackoffAgain_AShortOneDoesNot()
    {
        var afterStable = 5;
        var afterShort = 5;

        var stable = Sut.MaxDelayAfter(End(null, greeted: true, Sut.StableAfter), ref afterStable);
        var brief = Sut.MaxDelayAfter(End(null, greeted: true, Sut.StableAfter - TimeSpan.FromSeconds(1)), ref afterShort);

        Assert.Equal(TimeSpan.FromSeconds(0.5), stable);
        Assert.Equal(0, afterStable);
        Assert.Equal(Sut.BackoffCap, brief);
        Assert.Equal(6, afterShort);
    }

    private static HubConnectionEnd End(WebSocketCloseStatus? closeStatus, bool greeted, TimeSpan lasted) =>
        new(closeStatus, null, greeted, ByClient: false, lasted, Error: null);
}
