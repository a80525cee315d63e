using YarpWaitingRoom.Bench.Scale;
using YarpWaitingRoom.Testing.Hub;

namespace YarpWaitingRoom.Bench.Tests.Scale;

public sealed class ScaleClientProtocolTests
{
    [Theory]
    [InlineData(HubMessageKind.Position)]
    [InlineData(HubMessageKind.Admitted)]
    [InlineData(HubMessageKind.Gone)]
    [InlineData(HubMessageKind.Other)]
    [InlineData(HubMessageKind.Invalid)]
    public void TryParseReceipt_FormattedReceipt_ReadsItBack(HubMessageKind kind)
    {
        var line = ScaleClientProtocol.FormatReceipt(42, kind, 1_234_567_890_123);

        Assert.True(ScaleClientProtocol.TryParseReceipt(line, out var client, out var parsed, out var at));
        Assert.Equal((42, kind, 1_234_567_890_123L), (client, parsed, at));
    }

    [Theory]
    [InlineData("#end 0 0 0")]
    [InlineData("#r 1 p")]
    [InlineData("#r x p 5")]
    [InlineData("closed 5 sockets")]
    public void TryParseReceipt_OtherLine_IsNotAReceipt(string line) =>
        Assert.False(ScaleClientProtocol.TryParseReceipt(line, out _, out _, out _));
}
