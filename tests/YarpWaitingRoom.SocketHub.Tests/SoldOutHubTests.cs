using YarpWaitingRoom.Testing;
using YarpWaitingRoom.Testing.Hub;

namespace YarpWaitingRoom.SocketHub.Tests;

/// <summary>
/// A room that sells out: every waiting connection is told at once (the push interval is five minutes: only the room's
/// stock notice can do it), exactly once per sold-out spell, keeps its place, is told once when seats come back, and is
/// told again if it sells out again.
/// </summary>
public sealed class SoldOutHubTests(RedisFixture redis) : HubTestBase(redis)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task WaitingConnections_AreToldSoldOutOnce_KeepTheirPlace_AndAreToldAgainInANextSpell()
    {
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "a", pushInterval: "00:05:00");
        var queue = hub.Queue(Redis);
        var clients = new List<HubClient>();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                var join = await queue.JoinAsync($"v{i}", queueOff: false);
                var client = HubApp.ClientFor($"v{i}", join.Ticket, HubApp.TicketFor(hub.Room, $"v{i}", join.Ticket));
                await client.ConnectAsync(hub);
                clients.Add(client);
            }

            Assert.True(await EventuallyAsync(() => clients.All(c => c.Count(HubMessageKind.Position) == 1), Within));
            var now = DateTimeOffset.UtcNow;
            await queue.SetInventoryAsync(0, now, "test");
            // The notice's tick: each is told, and sent its place as every tick does.
            Assert.True(await EventuallyAsync(() => clients.All(c => c.Count(HubMessageKind.SoldOut) == 1 && c.Count(HubMessageKind.Position) == 2), Within));

            await queue.SetInventoryAsync(0, now.AddSeconds(1), "test"); // still sold out: no new notice, nothing told
            var late = await queue.JoinAsync("late", queueOff: false);
            await using var lateClient = HubApp.ClientFor("late", late.Ticket, HubApp.TicketFor(hub.Room, "late", late.Ticket));
            await lateClient.ConnectAsync(hub);
            Assert.True(
                await EventuallyAsync(() => lateClient.Count(HubMessageKind.SoldOut) == 1, Within),
                "told on connect; got: " + string.Join(", ", lateClient.Messages.Select(m => m.ToString()))); // told on connect
            Assert.All(clients, c => Assert.Equal(0, c.Count(HubMessageKind.Gone)));

            await queue.SetInventoryAsync(3, now.AddSeconds(2), "test");
            // The restock's tick: each one told of the spell is told seats came back, once, with its place.
            Assert.True(await EventuallyAsync(() => clients.All(c => c.Count(HubMessageKind.Position) == 3 && c.Count(HubMessageKind.Restocked) == 1), Within));
            await queue.SetInventoryAsync(0, now.AddSeconds(3), "test");
            Assert.True(await EventuallyAsync(() => clients.All(c => c.Count(HubMessageKind.SoldOut) == 2), Within));
            Assert.All(clients, c => Assert.Equal(2, c.Count(HubMessageKind.SoldOut)));
            Assert.All(clients, c => Assert.Equal(1, c.Count(HubMessageKind.Restocked)));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }
}
