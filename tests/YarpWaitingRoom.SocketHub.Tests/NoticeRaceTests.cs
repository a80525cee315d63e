using YarpWaitingRoom.Testing;
using YarpWaitingRoom.Testing.Hub;

namespace YarpWaitingRoom.SocketHub.Tests;

/// <summary>
/// The exactly-once rule under races: an admission batch (heard by both hubs), a reconnect and the push ticks of both hubs
/// all at once, for the same ticket. Automatic push ticks are off (a 5-minute interval): the test runs them itself, inside
/// the race.
/// </summary>
public sealed class NoticeRaceTests(RedisFixture redis) : HubTestBase(redis)
{
    private const int Rounds = 10;

    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task BatchReconnectAndPushTicks_OnTwoHubs_GiveTheReconnectedVisitorExactlyOneNotice_DeliveredOnce()
    {
        var room = RoomName();
        await using var hubA = new HubApp(Fixture.ConnectionString, room, "a", new Dictionary<string, string?> { ["MaxActive"] = "1000" }, pushInterval: "00:05:00");
        await using var hubB = new HubApp(Fixture.ConnectionString, room, "b", new Dictionary<string, string?> { ["MaxActive"] = "1000" }, pushInterval: "00:05:00");
        var queue = hubA.Queue(Redis);
        var (roomA, roomB) = (RoomOf(hubA), RoomOf(hubB));

        for (var round = 0; round < Rounds; round++)
        {
            var visitor = $"v{round}";
            var join = await queue.JoinAsync(visitor, queueOff: false);
            await using var first = HubApp.ClientFor(visitor, join.Ticket, HubApp.TicketFor(room, visitor, join.Ticket));
            await first.ConnectAsync(hubA);
            Assert.True(await EventuallyAsync(() => first.Count(HubMessageKind.Position) > 0, Within));
            await first.DropAsync();
            Assert.True(await EventuallyAsync(() => roomA.Count == 0, Within));

            // The race: the batch lands on both hubs while the visitor reconnects to B and both hubs tick.
            await using var second = HubApp.ClientFor(visitor, join.Ticket, HubApp.TicketFor(room, visitor, join.Ticket));
            await Task.WhenAll(
                Task.Run(async () => await queue.AdmitAsync(await queue.NextFenceAsync()), Cancellation),
                Task.Run(() => second.ConnectAsync(hubB), Cancellation),
                Task.Run(() => PusherOf(hubA).PushAsync(roomA), Cancellation),
                Task.Run(() => PusherOf(hubB).PushAsync(roomB), Cancellation),
                Task.Run(() => PusherOf(hubB).PushAsync(roomB), Cancellation));
            Assert.True(await EventuallyAsync(() => second.Count(HubMessageKind.Admitted) > 0, Within), $"round {round}: no notice");
            // Late arrivals of the same race (another tick on each hub) must not add a second one.
            await PusherOf(hubA).PushAsync(roomA);
            await PusherOf(hubB).PushAsync(roomB);
            await Task.Delay(200, Cancellation);

            Assert.Equal(1, second.Count(HubMessageKind.Admitted));
            Assert.NotNull(second.Last(HubMessageKind.Admitted)!.EnterUrl);
            Assert.Equal(0, first.Count(HubMessageKind.Admitted));
            Assert.Equal("b", await queue.DeliveredByAsync(join.Ticket));
        }
    }

    [Fact]
    public async Task BatchAndPushTicks_WithATabOnEachHub_SendTheLinkExactlyOnceAcrossHubs()
    {
        var room = RoomName();
        await using var hubA = new HubApp(Fixture.ConnectionString, room, "a", pushInterval: "00:05:00");
        await using var hubB = new HubApp(Fixture.ConnectionString, room, "b", pushInterval: "00:05:00");
        var queue = hubA.Queue(Redis);
        var (roomA, roomB) = (RoomOf(hubA), RoomOf(hubB));

        for (var round = 0; round < Rounds; round++)
        {
            var visitor = $"v{round}";
            var join = await queue.JoinAsync(visitor, queueOff: false);
            await using var onA = HubApp.ClientFor(visitor, join.Ticket, HubApp.TicketFor(room, visitor, join.Ticket));
            await using var onB = HubApp.ClientFor(visitor, join.Ticket, HubApp.TicketFor(room, visitor, join.Ticket));
            await onA.ConnectAsync(hubA);
            await onB.ConnectAsync(hubB);
            Assert.True(await EventuallyAsync(() => onA.Count(HubMessageKind.Position) > 0 && onB.Count(HubMessageKind.Position) > 0, Within));

            await Task.WhenAll(
                Task.Run(async () => await queue.AdmitAsync(await queue.NextFenceAsync()), Cancellation),
                Task.Run(() => PusherOf(hubA).PushAsync(roomA), Cancellation),
                Task.Run(() => PusherOf(hubB).PushAsync(roomB), Cancellation));
            Assert.True(await EventuallyAsync(() => onA.Count(HubMessageKind.Admitted) + onB.Count(HubMessageKind.Admitted) > 0, Within), $"round {round}: no notice");
            await PusherOf(hubA).PushAsync(roomA);
            await PusherOf(hubB).PushAsync(roomB);
            await Task.Delay(200, Cancellation);

            Assert.Equal(1, onA.Count(HubMessageKind.Admitted) + onB.Count(HubMessageKind.Admitted));
            await queue.EndSessionAsync(join.Ticket, "test");
        }
    }

    [Fact]
    public async Task WaitingPage_OfAnAdmittedTicket_DeliversThroughTheRule_OnlyToItsOwnVisitor()
    {
        var room = RoomName();
        await using var hub = new HubApp(Fixture.ConnectionString, room, "a", pushInterval: "00:05:00");
        var queue = hub.Queue(Redis);
        var join = await queue.JoinAsync("owner", queueOff: false);
        await queue.AdmitAsync(await queue.NextFenceAsync());
        var page = $"/_wr/wait/{room}?t={Uri.EscapeDataString(HubApp.TicketFor(room, "owner", join.Ticket))}&return=%2F";
        using var client = hub.CreateClient();

        using var stranger = new HttpRequestMessage(HttpMethod.Get, page);
        stranger.Headers.Add("Cookie", $"wr_vid={HubApp.VisitorCookieFor("someone-else")}");
        var strangerHtml = await (await client.SendAsync(stranger, Cancellation)).Content.ReadAsStringAsync(Cancellation);
        Assert.DoesNotContain("/_wr/enter/", strangerHtml, StringComparison.Ordinal);
        Assert.Null(await queue.DeliveredByAsync(join.Ticket));

        using var owner = new HttpRequestMessage(HttpMethod.Get, page);
        owner.Headers.Add("Cookie", $"wr_vid={HubApp.VisitorCookieFor("owner")}");
        var ownerHtml = await (await client.SendAsync(owner, Cancellation)).Content.ReadAsStringAsync(Cancellation);
        Assert.Contains("/_wr/enter/", ownerHtml, StringComparison.Ordinal);
        Assert.Equal("a", await queue.DeliveredByAsync(join.Ticket));
    }
}
