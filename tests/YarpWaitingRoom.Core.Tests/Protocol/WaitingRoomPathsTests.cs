using YarpWaitingRoom.Protocol;

namespace YarpWaitingRoom.Tests.Protocol;

public sealed class WaitingRoomPathsTests
{
    [Fact]
    public void WaitPage_EscapesTheTicketAndTheReturnUrl()
    {
        Assert.Equal("/_wr/wait/main?t=a%2Bb%3D&return=%2Fseats%3Fa%3D1%262", WaitingRoomPaths.WaitPage("main", "a+b=", "/seats?a=1&2"));
    }

    [Fact]
    public void SocketUrl_And_Enter_AreUnderThePathsTheEdgeRoutes()
    {
        Assert.StartsWith(WaitingRoomPaths.Socket + "?room=main&t=", WaitingRoomPaths.SocketUrl("main", "x"), StringComparison.Ordinal);
        Assert.Equal("/_wr/enter/main?code=c%2F1", WaitingRoomPaths.Enter("main", "c/1"));
        Assert.Equal("/_wr/rooms/main/tickets/t1", WaitingRoomPaths.TicketStatus("main", "t1"));
    }
}
