using System.Diagnostics;
using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using YarpWaitingRoom.Hub.Sessions;
using YarpWaitingRoom.Testing;
using YarpWaitingRoom.Testing.Hub;

namespace YarpWaitingRoom.SocketHub.Tests;

/// <summary>
/// The shared test client (<see cref="HubClient"/>, used by these tests, the system tests and the bench) against the hub
/// it speaks to: the hub's messages read back as the hub wrote them, frames that are not messages, how a connection ends.
/// </summary>
public sealed class HubClientTests(RedisFixture redis) : HubTestBase(redis)
{
    public static TheoryData<byte[], HubMessage> HubMessagesAndTheirReading => new()
    {
        { HubMessages.Position(7, 12.5, queueOn: true), new HubMessage(HubMessageKind.Position, "position") { Position = 7, EtaSeconds = 12.5, QueueOn = true } },
        { HubMessages.Position(3, null, queueOn: false), new HubMessage(HubMessageKind.Position, "position") { Position = 3, QueueOn = false } },
        { HubMessages.Admitted("/_wr/enter/r?code=c"), new HubMessage(HubMessageKind.Admitted, "admitted") { EnterUrl = "/_wr/enter/r?code=c" } },
        { HubMessages.AdmittedWithoutLink.ToArray(), new HubMessage(HubMessageKind.Admitted, "admitted") },
        { HubMessages.Gone("abandoned"), new HubMessage(HubMessageKind.Gone, "gone") { Reason = "abandoned" } },
    };

    [Theory]
    [MemberData(nameof(HubMessagesAndTheirReading))]
    public void Parse_AMessageAsTheHubWritesIt_ReadsBackEveryMember(byte[] frame, HubMessage expected)
    {
        var message = HubMessage.Parse(frame);

        Assert.Equal(expected, message);
        Assert.Equal(expected, HubMessage.Parse(System.Text.Encoding.UTF8.GetBytes(message.ToString())));
    }

    [Theory]
    [InlineData("admitted!", "malformed JSON")]
    [InlineData("", "malformed JSON")]
    [InlineData("""{"type":"position","position":"first"}""", "malformed JSON")]
    [InlineData("[]", "not a JSON object (Array)")]
    [InlineData("\"admitted\"", "not a JSON object (String)")]
    [InlineData("""{"type":"gone","reason":"expired"} {}""", "malformed JSON")]
    [InlineData("""{"type":7}""", "malformed JSON")]
    [InlineData("""{"kind":"admitted"}""", "no 'type'")]
    [InlineData("""{"type":null,"position":1}""", "no 'type'")]
    public void Parse_AFrameThatIsNotAMessage_IsInvalid_WithTheReasonAndTheText(string frame, string fault)
    {
        var message = HubMessage.Parse(System.Text.Encoding.UTF8.GetBytes(frame));

        Assert.Equal(HubMessageKind.Invalid, message.Kind);
        Assert.Equal(fault, message.Fault);
        Assert.Equal(frame, message.Text);
        Assert.Equal(frame, message.ToString());
    }

    [Fact]
    public void Parse_MembersTheClientDoesNotKnow_AreSkipped()
    {
        var message = HubMessage.Parse("""{"type":"position","extra":{"a":[1,{"position":9}]},"position":2}"""u8);

        Assert.Equal(new HubMessage(HubMessageKind.Position, "position") { Position = 2 }, message);
    }

    [Fact]
    public void Parse_AnUnknownType_IsOther_WithItsType()
    {
        var message = HubMessage.Parse("""{"type":"hello","position":1}"""u8);

        Assert.Equal(HubMessageKind.Other, message.Kind);
        Assert.Equal("hello", message.Type);
    }

    [Fact]
    public async Task CloseAsync_OnAGreetedSocket_IsAnsweredByTheHub_AndTheEndIsTheClients()
    {
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "a");
        await using var sut = await JoinAsync(hub);
        await sut.ConnectAsync(hub);
        var first = await sut.WaitForAsync(HubMessageKind.Position, Cancellation);

        var outcome = await sut.CloseAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(HubCloseOutcome.Answered, outcome);
        Assert.Equal(1, first?.Position);
        Assert.Same(first, await sut.WaitForAsync(HubMessageKind.Position | HubMessageKind.Admitted, Cancellation));
        var end = Assert.Single(sut.Ends);
        Assert.Equal((WebSocketCloseStatus.NormalClosure, true, true, null), (end.CloseStatus, end.Greeted, end.ByClient, end.Error));
        Assert.False(sut.IsLive);
        Assert.Equal(HubCloseOutcome.NotOpen, await sut.CloseAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task AHubHandingTheSocketBack_IsAnsweredAtOnce_SoItsDrainEndsLongBeforeItsTimeout()
    {
        var settings = new Dictionary<string, string?> { ["SocketHub:DrainTimeout"] = "00:00:10" };
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "a", extraSettings: settings);
        await using var sut = await JoinAsync(hub);
        await sut.ConnectAsync(hub);
        await sut.WaitForAsync(HubMessageKind.Position, Cancellation);
        var draining = Stopwatch.StartNew();

        await hub.Services.GetRequiredService<HubDrain>().StopAsync(Cancellation);

        Assert.True(draining.Elapsed < TimeSpan.FromSeconds(5), $"the hub waited {draining.Elapsed.TotalSeconds:F1} s for the close answer");
        var end = Assert.Single(sut.Ends);
        Assert.Equal((HubDrain.ServiceRestart, true, false), (end.CloseStatus, end.Greeted, end.ByClient));
    }

    [Fact]
    public async Task WaitForAsync_WhenTheHubClosesBeforeSuchAMessage_ReturnsNull_AndTheEndIsTheHubs()
    {
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "a");
        await using var sut = new HubClient { Token = "not-a-ticket" };
        await sut.ConnectAsync(hub);

        var admitted = await sut.WaitForAsync(HubMessageKind.Admitted, Cancellation).WaitAsync(TimeSpan.FromSeconds(5), Cancellation);

        Assert.Null(admitted);
        var end = Assert.Single(sut.Ends);
        Assert.Equal((WebSocketCloseStatus.PolicyViolation, false, false), (end.CloseStatus, end.Greeted, end.ByClient));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, sut.CloseStatus);
        Assert.Null(await sut.WaitForAsync(HubMessageKind.Admitted, Cancellation));
    }

    [Fact]
    public async Task DropAsync_EndsTheConnectionWithoutAFrame_AndTheClientConnectsAgain_CountingOverBothConnections()
    {
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "a");
        await using var sut = await JoinAsync(hub);
        await sut.ConnectAsync(hub);
        await sut.WaitForAsync(HubMessageKind.Position, Cancellation);

        await sut.DropAsync();
        await sut.ConnectAsync(hub);

        Assert.True(await EventuallyAsync(() => sut.Count(HubMessageKind.Position) >= 2, TimeSpan.FromSeconds(5)));
        Assert.True(sut.IsLive);
        var dropped = Assert.Single(sut.Ends);
        Assert.Equal((null, true, true), (dropped.CloseStatus, dropped.Greeted, dropped.ByClient));
        Assert.Null(sut.CloseStatus);
        Assert.Equal(sut.Count(HubMessageKind.Position), sut.Messages.Count);
    }

    /// <summary>A client for a new visitor's ticket, joined as the proxy would.</summary>
    private async Task<HubClient> JoinAsync(HubApp hub)
    {
        var joined = await hub.Queue(Redis).JoinAsync("v1", queueOff: false);
        return HubApp.ClientFor("v1", joined.Ticket, HubApp.TicketFor(hub.Room, "v1", joined.Ticket));
    }
}
