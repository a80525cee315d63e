using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Testing;
using YarpWaitingRoom.Testing.Hub;

namespace YarpWaitingRoom.SocketHub.Tests;

/// <summary>
/// The push tick computes places in the hub: two Redis round trips per room whatever the number of sessions, and every
/// place sent equals the ticket's ZRANK + 1 while the queue moves (admissions at the front, departures from the middle).
/// Automatic ticks are off (a 5-minute interval): the tests run them.
/// </summary>
public sealed class PositionPushTests(RedisFixture redis) : HubTestBase(redis)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task PushTick_TakesTwoRoundTripsWhateverTheSessions_AndSendsEachItsZRankPlusOne_AsTheQueueMoves()
    {
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "a", new Dictionary<string, string?> { ["MaxActive"] = "1000" }, pushInterval: "00:05:00");
        var queue = hub.Queue(Redis);
        var room = RoomOf(hub);
        var tickets = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            tickets.Add((await queue.JoinAsync($"v{i:D2}", queueOff: false)).Ticket);
        }

        // Every other visitor from the eleventh on is connected; the rest are not (the front, and the odd ones between).
        var clients = new List<HubClient>();
        for (var i = 10; i < 60; i += 2)
        {
            var client = HubApp.ClientFor($"v{i:D2}", tickets[i], HubApp.TicketFor(hub.Room, $"v{i:D2}", tickets[i]));
            await client.ConnectAsync(hub);
            clients.Add(client);
        }

        try
        {
            Assert.True(await EventuallyAsync(() => clients.All(c => c.Count(HubMessageKind.Position) == 1), Within));
            Assert.Equal(2, await PusherOf(hub).PushAsync(room));
            await AssertPlacesAsync(queue, clients, expectedMessages: 2);

            // The queue moves: five admitted from the front, three unconnected visitors between the connected ones reaped.
            await queue.AdmitAsync(await queue.NextFenceAsync(), limit: 5);
            foreach (var i in new[] { 13, 27, 41 })
            {
                await Redis.GetDatabase().SortedSetAddAsync(queue.Keys.Seen, tickets[i], 0);
            }

            Assert.Equal(3, (await queue.ReapAsync()).Reaped);
            Assert.Equal(2, await PusherOf(hub).PushAsync(room));
            await AssertPlacesAsync(queue, clients, expectedMessages: 3);
            Assert.Equal(59 - 5 - 3, clients[^1].Last(HubMessageKind.Position)!.Position); // v58: 59th, five admitted, three ahead reaped
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task PushTick_WhenAPlaceLeftWithoutTheRoomKnowing_CountsTheMismatchOfItsProbe()
    {
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "a", pushInterval: "00:05:00");
        var queue = hub.Queue(Redis);
        var room = RoomOf(hub);
        await queue.JoinAsync("first", queueOff: false);
        await queue.JoinAsync("second", queueOff: false);
        var last = (await queue.JoinAsync("last", queueOff: false)).Ticket;
        await using var client = HubApp.ClientFor("last", last, HubApp.TicketFor(hub.Room, "last", last));
        await client.ConnectAsync(hub);
        Assert.True(await EventuallyAsync(() => client.Count(HubMessageKind.Position) == 1, Within));
        await PusherOf(hub).PushAsync(room);
        Assert.Equal(last, room.Probe?.Ticket);

        // Removed behind the room's back (no departure recorded): the computed place (3) is no longer Redis's (2).
        Assert.True(await Redis.GetDatabase().SortedSetRemoveAsync(queue.Keys.Waiting, "second"));
        var roundTrips = await PusherOf(hub).PushAsync(room);

        Assert.Equal(3, roundTrips); // state, front, and the whole read after the mismatch
        var metrics = await hub.CreateClient().GetStringAsync("/metrics", Cancellation);
        Assert.Contains($"sockethub_position_mismatches_total{{room=\"{hub.Room}\"}} 1", metrics, StringComparison.Ordinal);
    }

    private async Task AssertPlacesAsync(QueueStore queue, List<HubClient> clients, int expectedMessages)
    {
        Assert.True(await EventuallyAsync(() => clients.All(c => c.Count(HubMessageKind.Position) == expectedMessages), Within));
        foreach (var client in clients)
        {
            Assert.True(TicketIds.TryParse(client.Ticket, out var visitor, out _));
            var rank = await Redis.GetDatabase().SortedSetRankAsync(queue.Keys.Waiting, visitor);
            Assert.Equal(rank + 1, client.Last(HubMessageKind.Position)!.Position);
        }
    }
}
