using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Scheduling;
using YarpWaitingRoom.Testing;
using YarpWaitingRoom.Testing.Hub;

namespace YarpWaitingRoom.SocketHub.Tests;

/// <summary>
/// A scheduled sale through the hub: pre-queue connections are told their receipt and the start, once; the draw's notice places
/// them at once (the push interval is five minutes: only the notice can do it), with their receipts, in the drawn order;
/// their admission's entry link names the drawn place.
/// </summary>
public sealed class PrequeueHubTests(RedisFixture redis) : HubTestBase(redis)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task PrequeueConnections_GetTheirReceipt_ThenTheirDrawnPlaceAtOnceAfterTheDraw_ThenTheirAdmission()
    {
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "a", pushInterval: "00:05:00");
        var queue = hub.Queue(Redis);
        var now = DateTimeOffset.UtcNow;
        var startsAt = now.AddSeconds(3);
        var (scheduled, _) = await queue.Schedule.ScheduleAsync(new ScheduledEvent("Concert", now, startsAt, DrawOrder.Lottery));
        Assert.Equal(ScheduleOutcome.Scheduled, scheduled);

        var clients = new List<(HubClient Client, JoinResult Join)>();
        try
        {
            for (var i = 0; i < 20; i++)
            {
                var join = await queue.JoinAsync($"v{i:D2}", queueOff: true);
                Assert.Equal(TicketState.Prequeue, join.State);
                var client = HubApp.ClientFor($"v{i:D2}", join.Ticket, HubApp.TicketFor(hub.Room, $"v{i:D2}", join.Ticket));
                await client.ConnectAsync(hub);
                clients.Add((client, join));
            }

            Assert.True(await EventuallyAsync(() => clients.All(c => c.Client.Count(HubMessageKind.Prequeue) == 1), Within));
            Assert.All(clients, c =>
            {
                var message = c.Client.Last(HubMessageKind.Prequeue)!;
                Assert.Equal(c.Join.Receipt, message.Receipt);
                Assert.Equal(startsAt.ToUnixTimeMilliseconds(), message.StartsAt!.Value.ToUnixTimeMilliseconds());
                Assert.Equal(0, c.Client.Count(HubMessageKind.Position));
            });

            // Push ticks before the draw tell no one the same start again (a million in a pre-queue are not sent the
            // same message every tick); the check is below, after the draw's place, which these sockets deliver in order.
            await PusherOf(hub).PushAsync(RoomOf(hub));
            await PusherOf(hub).PushAsync(RoomOf(hub));
            while (DateTimeOffset.UtcNow < startsAt)
            {
                await Task.Delay(50, Cancellation);
            }

            Assert.Equal(DrawOutcome.Drawn, (await queue.Draw.DrawAsync(await queue.NextFenceAsync())).Outcome);
            var stored = (await queue.Schedule.GetAsync())!;
            var order = LotteryDraw.Order(stored.Seed, [.. clients.Select(c => c.Join.Receipt!)]);

            Assert.True(await EventuallyAsync(() => clients.All(c => c.Client.Count(HubMessageKind.Position) == 1), Within));
            foreach (var (client, join) in clients)
            {
                Assert.Equal(1, client.Count(HubMessageKind.Prequeue));
                var position = client.Last(HubMessageKind.Position)!;
                Assert.Equal(join.Receipt, position.Receipt);
                Assert.Equal(Array.IndexOf(order, join.Receipt) + 1, position.Position);
            }

            var first = clients.Single(c => c.Join.Receipt == order[0]);
            var admitted = await queue.AdmitAsync(await queue.NextFenceAsync(), limit: 1);
            Assert.True(await EventuallyAsync(() => first.Client.Count(HubMessageKind.Admitted) == 1, Within));
            var placed = Assert.Single(admitted.Tickets);
            Assert.StartsWith(first.Join.Ticket[..^1], placed, StringComparison.Ordinal);
            // The entry links (the socket's, and the waiting page's for the pre-queue ticket) name the drawn place.
            var visitor = $"v{clients.IndexOf(first):D2}";
            var code = Uri.UnescapeDataString(first.Client.Last(HubMessageKind.Admitted)!.EnterUrl!.Split("code=")[1]);
            Assert.Equal(Tokens.TokenStatus.Valid, HubApp.Tokens.Validate(code, Tokens.TokenKind.EntryCode, hub.Room, visitor, DateTimeOffset.UtcNow, out var claims));
            Assert.Equal(placed, claims!.Ticket);
            using var http = hub.CreateClient();
            using var page = new HttpRequestMessage(HttpMethod.Get, $"/_wr/wait/{hub.Room}?t={Uri.EscapeDataString(first.Client.Token)}&return=%2F");
            page.Headers.Add("Cookie", $"wr_vid={HubApp.VisitorCookieFor(visitor)}");
            using var response = await http.SendAsync(page, Cancellation);
            var html = await response.Content.ReadAsStringAsync(Cancellation);
            var pageCode = System.Net.WebUtility.HtmlDecode(html.Split($"/_wr/enter/{hub.Room}?code=")[1].Split('"')[0]);
            Assert.Equal(Tokens.TokenStatus.Valid, HubApp.Tokens.Validate(Uri.UnescapeDataString(pageCode), Tokens.TokenKind.EntryCode, hub.Room, visitor, DateTimeOffset.UtcNow, out var pageClaims));
            Assert.Equal(placed, pageClaims!.Ticket);
        }
        finally
        {
            foreach (var (client, _) in clients)
            {
                await client.DisposeAsync();
            }
        }
    }
}
