using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Hub.Sessions;
using YarpWaitingRoom.Testing;
using YarpWaitingRoom.Testing.Hub;

using static YarpWaitingRoom.SocketHub.Tests.HubClientExtensions;

namespace YarpWaitingRoom.SocketHub.Tests;

public sealed class SocketHubTests(RedisFixture redis) : HubTestBase(redis)
{
    /// <summary>Joins <paramref name="count"/> visitors as the proxy would and hands out their signed tickets.</summary>
    private async Task<List<HubClient>> JoinAsync(HubApp hub, int count)
    {
        // One after another: the tests read client i as the visitor at place i + 1, an order concurrent joins do not promise
        // (on a Redis Cluster master that has not seen join.lua, every EVALSHA meets NOSCRIPT and is sent again as EVAL in
        // whatever order the continuations run).
        var queue = hub.Queue(Redis);
        var clients = new List<HubClient>(count);
        for (var i = 0; i < count; i++)
        {
            var visitor = $"v{i:D4}";
            var joined = await queue.JoinAsync(visitor, queueOff: false);
            clients.Add(HubApp.ClientFor(visitor, joined.Ticket, HubApp.TicketFor(hub.Room, visitor, joined.Ticket)));
        }

        return clients;
    }

    [Fact]
    public async Task Metrics_KeepTheProcessFigures_ButNotOpenHandles_WhichWouldStatEverySocketOnEachScrape()
    {
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "a");
        using var http = hub.CreateClient();

        var metrics = await http.GetStringAsync("/metrics", Cancellation);

        foreach (var name in new[] { "process_cpu_seconds_total", "process_private_memory_bytes", "process_working_set_bytes", "process_num_threads", "dotnet_total_memory_bytes", "dotnet_collection_count_total" })
        {
            Assert.Matches($"(?m)^{name}(\\{{[^}}]*\\}})? [0-9]", metrics);
        }

        Assert.DoesNotContain("process_open_handles", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdmissionNotice_EntryCodeCarriesTheReturnUrlOfTheTicketToken()
    {
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "a");
        var queue = hub.Queue(Redis);
        var join = await queue.JoinAsync("v-return", queueOff: false);
        await using var owner = HubApp.ClientFor("v-return", join.Ticket, HubApp.TicketFor(hub.Room, "v-return", join.Ticket, returnUrl: "/seats?row=1|2"));
        await owner.ConnectAsync(hub);
        Assert.True(await EventuallyAsync(() => owner.Count(HubMessageKind.Position) >= 1, TimeSpan.FromSeconds(5)));

        Assert.Equal(1, (await queue.AdmitAsync(await queue.NextFenceAsync())).Admitted);

        Assert.True(await EventuallyAsync(() => owner.Count(HubMessageKind.Admitted) == 1, TimeSpan.FromSeconds(5)), "the visitor was not told");
        var code = Uri.UnescapeDataString(owner.Last(HubMessageKind.Admitted)!.EnterUrl!.Split("code=")[1]);
        Assert.Equal(
            Tokens.TokenStatus.Valid,
            HubApp.Tokens.Validate(code, Tokens.TokenKind.EntryCode, hub.Room, "v-return", DateTimeOffset.UtcNow, out var claims));
        Assert.Equal((join.Ticket, "/seats?row=1|2"), (claims!.Ticket, claims.ReturnUrl));
    }

    [Theory]
    [InlineData("forged")]
    [InlineData("other-room")]
    [InlineData("expired")]
    [InlineData("entry-code")]
    [InlineData("empty")]
    public async Task InvalidTicket_ClosesWith1008_BeforeAnyMessage(string kind)
    {
        var room = RoomName();
        await using var hub = new HubApp(Fixture.ConnectionString, room, "a");
        var token = kind switch
        {
            "forged" => new Tokens.TokenService([new Tokens.SigningKey("test", new byte[32])]).Issue(Tokens.TokenKind.Ticket, room, "v1", "t1", DateTimeOffset.UtcNow.AddHours(1)),
            "other-room" => HubApp.TicketFor("another-room", "v1", "t1"),
            "expired" => HubApp.TicketFor(room, "v1", "t1", TimeSpan.FromSeconds(-1)),
            "entry-code" => HubApp.Tokens.Issue(Tokens.TokenKind.EntryCode, room, "v1", "t1", DateTimeOffset.UtcNow.AddHours(1)),
            _ => string.Empty,
        };
        await using var client = HubApp.ClientFor("v1", "t1", token);

        await client.ConnectAsync(hub);
        await client.ClosedAsync().WaitAsync(TimeSpan.FromSeconds(5), Cancellation);

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, client.CloseStatus);
        Assert.Empty(client.Messages);
    }

    [Fact]
    public async Task WaitingVisitor_GetsItsPositionOnConnect_AndAgainEveryPushTick()
    {
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "a");
        var clients = await JoinAsync(hub, 3);
        await using var third = clients[2];

        await third.ConnectAsync(hub, heartbeatEvery: TimeSpan.FromMilliseconds(500));

        Assert.True(await EventuallyAsync(() => third.Count(HubMessageKind.Position) >= 1, TimeSpan.FromSeconds(10)));
        var first = third.Messages.First();
        Assert.Equal(HubMessageKind.Position, first.Kind);
        Assert.Equal(3, first.Position);
        Assert.Null(first.EtaSeconds);
        Assert.True(await EventuallyAsync(() => third.Count(HubMessageKind.Position) >= 3, TimeSpan.FromSeconds(15)), "no periodic push");
    }

    [Fact]
    public async Task FiveHundredClientsOverTwoHubs_TwoHundredAdmitted_GetExactlyTwoHundredNotices_NoneTwice()
    {
        var room = RoomName();
        await using var hubA = new HubApp(Fixture.ConnectionString, room, "a", pushInterval: "00:00:02");
        await using var hubB = new HubApp(Fixture.ConnectionString, room, "b", pushInterval: "00:00:02");
        var clients = await JoinAsync(hubA, 500);
        try
        {
            await Task.WhenAll(clients.Select((c, i) => c.ConnectAsync(i % 2 == 0 ? hubA : hubB)));
            Assert.True(await EventuallyAsync(() => clients.All(c => c.Count(HubMessageKind.Position) >= 1), TimeSpan.FromSeconds(10)));

            var queue = hubA.Queue(Redis);
            var admitted = await queue.AdmitAsync(await queue.NextFenceAsync(), limit: 200);
            Assert.Equal(200, admitted.Admitted);

            Assert.True(await EventuallyAsync(() => clients.Sum(c => c.Count(HubMessageKind.Admitted)) >= 200, TimeSpan.FromSeconds(10)));
            // Two push ticks more: nothing may arrive twice, on either hub.
            await Task.Delay(TimeSpan.FromSeconds(4.5), Cancellation);

            var notified = clients.Where(c => c.Count(HubMessageKind.Admitted) > 0).ToList();
            Assert.Equal(200, notified.Count);
            Assert.All(notified, c => Assert.Equal(1, c.Count(HubMessageKind.Admitted)));
            Assert.Equal(admitted.Tickets.Order(StringComparer.Ordinal), notified.Select(c => c.Ticket).Order(StringComparer.Ordinal));
            Assert.All(notified, c => Assert.StartsWith($"/_wr/enter/{room}?code=", c.Last(HubMessageKind.Admitted)!.EnterUrl, StringComparison.Ordinal));
        }
        finally
        {
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task HubKilledBetweenAdmissionAndDelivery_ItsClientsReconnectToTheOtherHub_AndGetTheirNoticeOnce()
    {
        var room = RoomName();
        var hubA = new HubApp(Fixture.ConnectionString, room, "a");
        await using var hubB = new HubApp(Fixture.ConnectionString, room, "b");
        var clients = await JoinAsync(hubA, 20);
        try
        {
            await Task.WhenAll(clients.Select(c => c.ConnectAsync(hubA)));
            Assert.True(await EventuallyAsync(() => clients.All(c => c.Count(HubMessageKind.Position) >= 1), TimeSpan.FromSeconds(5)));

            // Hub A dies: its process is gone and its clients see their connections drop (the in-memory test transport
            // does not reset them by itself, so they are dropped here).
            await hubA.DisposeAsync();
            await Task.WhenAll(clients.Select(c => c.DropAsync()));
            var queue = hubB.Queue(Redis);
            Assert.Equal(10, (await queue.AdmitAsync(await queue.NextFenceAsync(), limit: 10)).Admitted);

            await Task.WhenAll(clients.Select(c => c.ConnectAsync(hubB)));

            Assert.True(await EventuallyAsync(() => clients.Count(c => c.Count(HubMessageKind.Admitted) == 1) == 10, TimeSpan.FromSeconds(5)));
            await Task.Delay(TimeSpan.FromSeconds(2.5), Cancellation);
            Assert.Equal(10, clients.Count(c => c.Count(HubMessageKind.Admitted) == 1));
            Assert.Equal(0, clients.Count(c => c.Count(HubMessageKind.Admitted) > 1));
        }
        finally
        {
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task Positions_OnlyDecreaseWhileTheQueueDrains_AndTheEtaAppearsAfterTheFirstAdmission()
    {
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "a", new Dictionary<string, string?> { ["AdmitInterval"] = "00:00:01" });
        var clients = await JoinAsync(hub, 30);
        await using var last = clients[^1];
        await last.ConnectAsync(hub, TimeSpan.FromMilliseconds(500));
        Assert.True(await EventuallyAsync(() => last.Count(HubMessageKind.Position) >= 1, TimeSpan.FromSeconds(3)));
        Assert.Null(last.Messages.First().EtaSeconds);

        var queue = hub.Queue(Redis);
        for (var i = 0; i < 4; i++)
        {
            await queue.AdmitAsync(await queue.NextFenceAsync(), limit: 5);
            await Task.Delay(TimeSpan.FromSeconds(1.1), Cancellation);
        }

        var positions = last.Messages.Where(m => m.Kind == HubMessageKind.Position).ToList();
        var numbers = positions.Select(p => p.Position!.Value).ToList();
        Assert.Equal(numbers.OrderDescending(), numbers);
        Assert.Equal(10, numbers[^1]);
        Assert.True(positions[^1].EtaSeconds > 0, "no ETA after the admissions");
    }

    [Fact]
    public async Task ClientThatStopsHeartbeating_IsGoneAfterAbandonAfter_OneThatReconnectsInTime_KeepsItsRank()
    {
        var room = RoomName();
        var settings = new Dictionary<string, string?> { ["AbandonAfter"] = "00:00:02", ["HeartbeatInterval"] = "00:00:01" };
        await using var hub = new HubApp(Fixture.ConnectionString, room, "a", settings);
        var clients = await JoinAsync(hub, 3);
        await using var steady = clients[0];
        await using var silent = clients[1];
        await using var flaky = clients[2];
        await steady.ConnectAsync(hub, TimeSpan.FromMilliseconds(400));
        await silent.ConnectAsync(hub);
        await flaky.ConnectAsync(hub, TimeSpan.FromMilliseconds(400));
        var queue = hub.Queue(Redis);

        // The flaky client loses its connection and is back within AbandonAfter.
        await Task.Delay(TimeSpan.FromSeconds(0.5), Cancellation);
        await flaky.DropAsync();
        await Task.Delay(TimeSpan.FromSeconds(1), Cancellation);
        await flaky.ConnectAsync(hub, TimeSpan.FromMilliseconds(400));

        // The proxies' reaper runs (here by hand) after AbandonAfter has passed for the silent one.
        await Task.Delay(TimeSpan.FromSeconds(1.5), Cancellation);
        var reaped = await queue.ReapAsync();

        Assert.Equal(1, reaped.Reaped);
        Assert.Equal(TicketState.Gone, (await queue.GetStatusAsync(silent.Ticket)).State);
        Assert.Equal((TicketState.Waiting, 1L), Place(await queue.GetStatusAsync(steady.Ticket)));
        Assert.Equal((TicketState.Waiting, 2L), Place(await queue.GetStatusAsync(flaky.Ticket)));
        Assert.True(await EventuallyAsync(() => silent.Count(HubMessageKind.Gone) == 1, TimeSpan.FromSeconds(3)), "the reaped client was not told");
        Assert.Equal("abandoned", silent.Last(HubMessageKind.Gone)!.Reason);
    }

    [Theory]
    [InlineData("{\"type\":\"hello\"}", WebSocketCloseStatus.PolicyViolation)]
    [InlineData("not json", WebSocketCloseStatus.PolicyViolation)]
    [InlineData("", WebSocketCloseStatus.PolicyViolation)]
    [InlineData("{\"type\":\"heartbeat\"} and more", WebSocketCloseStatus.PolicyViolation)]
    [InlineData("oversized", WebSocketCloseStatus.MessageTooBig)]
    public async Task UnknownOrOversizedFrames_CloseTheSocket_WithoutLosingThePlace(string frame, WebSocketCloseStatus expected)
    {
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "a");
        var clients = await JoinAsync(hub, 1);
        await using var client = clients[0];
        await client.ConnectAsync(hub);
        Assert.True(await EventuallyAsync(() => client.Count(HubMessageKind.Position) >= 1, TimeSpan.FromSeconds(3)));

        await client.SendTextAsync(frame == "oversized" ? "{\"type\":\"heartbeat\",\"pad\":\"" + new string('x', 5000) + "\"}" : frame, Cancellation);
        await client.ClosedAsync().WaitAsync(TimeSpan.FromSeconds(5), Cancellation);

        Assert.Equal(expected, client.CloseStatus);
        Assert.Equal(TicketState.Waiting, (await hub.Queue(Redis).GetStatusAsync(client.Ticket)).State);
    }

    [Fact]
    public async Task StoppingHub_HandsEverySessionBackWith1012_AndRefusesNewUpgradesWith503_KeepingEveryPlace()
    {
        var room = RoomName();
        await using var hub = new HubApp(Fixture.ConnectionString, room, "a", extraSettings: new Dictionary<string, string?> { ["SocketHub:DrainTimeout"] = "00:00:02" });
        var clients = await JoinAsync(hub, 20);
        try
        {
            await Task.WhenAll(clients.Select(c => c.ConnectAsync(hub)));
            Assert.True(await EventuallyAsync(() => clients.All(c => c.Count(HubMessageKind.Position) >= 1), TimeSpan.FromSeconds(5)));

            // What SIGTERM does to the host's hosted services.
            var stopping = hub.Services.GetRequiredService<HubDrain>().StopAsync(Cancellation);
            await Task.WhenAll(clients.Select(c => c.ClosedAsync())).WaitAsync(TimeSpan.FromSeconds(5), Cancellation);
            await stopping.WaitAsync(TimeSpan.FromSeconds(5), Cancellation);

            Assert.All(clients, c => Assert.Equal(HubDrain.ServiceRestart, c.CloseStatus));
            var refused = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => hub.ConnectAsync(clients[0].Token, Cancellation));
            Assert.Contains("503", refused.Message, StringComparison.Ordinal);
            var queue = hub.Queue(Redis);
            var places = await Task.WhenAll(clients.Select(c => queue.GetStatusAsync(c.Ticket)));
            Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), places.Select(p => p.Position));
        }
        finally
        {
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task AdmissionMadeWhileDisconnected_ReconnectAfterTheClaimWindowButWithinAbandonAfter_StillGetsTheNotice()
    {
        var room = RoomName();
        var settings = new Dictionary<string, string?> { ["ClaimWindow"] = "00:00:01", ["AbandonAfter"] = "00:00:04", ["HeartbeatInterval"] = "00:00:01" };
        await using var hub = new HubApp(Fixture.ConnectionString, room, "a", settings);
        var clients = await JoinAsync(hub, 1);
        await using var client = clients[0];
        var queue = hub.Queue(Redis);
        Assert.Equal(1, (await queue.AdmitAsync(await queue.NextFenceAsync())).Admitted);

        // The claim window (1 s) passes while nobody could be told; an admission run drops what has lapsed.
        await Task.Delay(TimeSpan.FromSeconds(1.5), Cancellation);
        Assert.Equal(0, (await queue.AdmitAsync(await queue.NextFenceAsync())).Expired);
        await client.ConnectAsync(hub);

        Assert.True(await EventuallyAsync(() => client.Count(HubMessageKind.Admitted) == 1, TimeSpan.FromSeconds(3)), "the reconnecting visitor was not told");
        // Told now: the claim window runs from here.
        await Task.Delay(TimeSpan.FromSeconds(0.5), Cancellation);
        Assert.Equal(TicketState.Active, (await queue.GetStatusAsync(client.Ticket)).State);
    }

    [Fact]
    public async Task AdmissionThatLapsedUndelivered_IsToldExpired_NotAbandoned()
    {
        var room = RoomName();
        var settings = new Dictionary<string, string?> { ["ClaimWindow"] = "00:00:01", ["AbandonAfter"] = "00:00:02", ["HeartbeatInterval"] = "00:00:01" };
        await using var hub = new HubApp(Fixture.ConnectionString, room, "a", settings);
        var clients = await JoinAsync(hub, 1);
        await using var client = clients[0];
        var queue = hub.Queue(Redis);
        Assert.Equal(1, (await queue.AdmitAsync(await queue.NextFenceAsync())).Admitted);

        await Task.Delay(TimeSpan.FromSeconds(2.5), Cancellation);
        Assert.Equal(1, (await queue.AdmitAsync(await queue.NextFenceAsync())).Expired);
        await client.ConnectAsync(hub);

        Assert.True(await EventuallyAsync(() => client.Count(HubMessageKind.Gone) == 1, TimeSpan.FromSeconds(3)));
        Assert.Equal("expired", client.Last(HubMessageKind.Gone)!.Reason);
        await client.ClosedAsync().WaitAsync(TimeSpan.FromSeconds(3), Cancellation);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
    }
}
