using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using YarpWaitingRoom.Events;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Tests.Queue;

public sealed class QueueStoreTests(RedisFixture redis) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
    private ConnectionMultiplexer _connection = null!;

    private IDatabase Db => _connection.GetDatabase();

    public async ValueTask InitializeAsync() => _connection = await redis.ConnectAsync();

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    private QueueStore CreateSut(RoomOptions? options = null) =>
        new(_connection, UniqueName.For("room"), options ?? new RoomOptions(), _time);

    [Fact]
    public async Task Join_1000ConcurrentDistinctVisitors_GetDistinctConsecutivePositions()
    {
        var sut = CreateSut();

        var results = await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => sut.JoinAsync($"v{i}", queueOff: false)));

        Assert.All(results, r => Assert.Equal(TicketState.Waiting, r.State));
        Assert.Equal(Enumerable.Range(1, 1000).Select(i => (long)i), results.Select(r => r.Position).Order());
        Assert.Equal(1000, results.Select(r => r.Ticket).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(1000, await Db.SortedSetLengthAsync(sut.Keys.Waiting));
    }

    [Fact]
    public async Task Join_SameVisitorTenTimesConcurrently_KeepsOneTicketAndPlace()
    {
        var sut = CreateSut();
        await sut.JoinAsync("first", queueOff: false);

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => sut.JoinAsync("repeat", queueOff: false)));

        Assert.Single(results.Select(r => r.Ticket).Distinct(StringComparer.Ordinal));
        Assert.All(results, r => Assert.Equal(2, r.Position));
        Assert.Equal(1, results.Count(r => r.IsNew));
        Assert.Equal(2, await Db.SortedSetLengthAsync(sut.Keys.Waiting));
    }

    [Fact]
    public async Task Join_QueueOffAndNobodyWaiting_AdmitsDirectly_UntilMaxActive()
    {
        var sut = CreateSut(new RoomOptions { MaxActive = 2 });

        var first = await sut.JoinAsync("a", queueOff: true);
        var second = await sut.JoinAsync("b", queueOff: true);
        var third = await sut.JoinAsync("c", queueOff: true);

        Assert.Equal(TicketState.Active, first.State);
        Assert.Equal(TicketState.Active, second.State);
        Assert.Equal((TicketState.Waiting, 1L), (third.State, third.Position));
        Assert.Equal(TicketState.Active, (await sut.JoinAsync("a", queueOff: true)).State);
    }

    [Fact]
    public async Task Join_QueueOffButSomeoneWaiting_WaitsBehindThem()
    {
        var sut = CreateSut();
        await sut.JoinAsync("early", queueOff: false);

        var late = await sut.JoinAsync("late", queueOff: true);

        Assert.Equal((TicketState.Waiting, 2L), (late.State, late.Position));
    }

    [Fact]
    public async Task Admit_TwoSchedulersRacing_NeverExceedMaxActive_AndKeepFifoAcrossBatches()
    {
        var sut = CreateSut(new RoomOptions { MaxActive = 100 });
        var order = new List<string>();
        for (var i = 0; i < 300; i++)
        {
            order.Add((await sut.JoinAsync($"v{i}", queueOff: false)).Ticket);
        }

        async Task<List<AdmitResult>> SchedulerAsync()
        {
            var results = new List<AdmitResult>();
            for (var i = 0; i < 20; i++)
            {
                results.Add(await sut.AdmitAsync(await sut.NextFenceAsync(), limit: 7));
            }

            return results;
        }

        var runs = await Task.WhenAll(SchedulerAsync(), SchedulerAsync());

        Assert.All(runs.SelectMany(r => r), r => Assert.True(r.Active <= 100, $"active {r.Active} > MaxActive"));
        Assert.Equal(100, await Db.SortedSetLengthAsync(sut.Keys.Active));
        var admitted = await Db.SortedSetRangeByRankAsync(sut.Keys.Active);
        Assert.Equal(order.Take(100).Order(StringComparer.Ordinal), admitted.Select(t => (string)t!).Order(StringComparer.Ordinal));
        Assert.Equal("v100", (string?)(await Db.SortedSetRangeByRankAsync(sut.Keys.Waiting, 0, 0)).Single());
        var batches = runs.SelectMany(r => r).Where(r => r.Admitted > 0).SelectMany(r => r.Tickets).ToList();
        Assert.Equal(100, batches.Count);
        Assert.Equal(100, batches.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task Admit_BatchesInOrder_AdmitOldestFirst()
    {
        var sut = CreateSut(new RoomOptions { MaxActive = 1000 });
        var order = new List<string>();
        for (var i = 0; i < 25; i++)
        {
            order.Add((await sut.JoinAsync($"v{i}", queueOff: false)).Ticket);
        }

        var admitted = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            admitted.AddRange((await sut.AdmitAsync(await sut.NextFenceAsync(), limit: 10)).Tickets);
        }

        Assert.Equal(order, admitted);
    }

    [Fact]
    public async Task Admit_WithAnOlderFenceThanOneAccepted_ChangesNothing()
    {
        var sut = CreateSut();
        await sut.JoinAsync("a", queueOff: false);
        var paused = await sut.NextFenceAsync();
        var newer = await sut.NextFenceAsync();
        await sut.AdmitAsync(newer, limit: 0);
        await sut.JoinAsync("b", queueOff: false);

        var late = await sut.AdmitAsync(paused);

        Assert.True(late.Fenced);
        Assert.Equal(0, late.Admitted);
        Assert.Equal(1, await Db.SortedSetLengthAsync(sut.Keys.Waiting));
    }

    [Fact]
    public async Task Admit_PublishesOneMessage_AndAppendsOneEvent_PerBatch()
    {
        var sut = CreateSut();
        for (var i = 0; i < 5; i++)
        {
            await sut.JoinAsync($"v{i}", queueOff: false);
        }

        var messages = new List<string>();
        var subscriber = _connection.GetSubscriber();
        await subscriber.SubscribeAsync(sut.Keys.Notify, (_, message) =>
        {
            lock (messages)
            {
                messages.Add(message!);
            }
        });

        var result = await sut.AdmitAsync(await sut.NextFenceAsync());

        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (messages.Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        var message = Assert.Single(messages);
        Assert.Equal(string.Join(',', result.Tickets), message.Split('|')[2]);
        var entries = await Db.StreamRangeAsync(sut.Keys.Events);
        var admittedEntry = Assert.Single(entries, e => e[WaitingRoomEventFields.Type] == WaitingRoomEventType.Admitted);
        Assert.Equal(5, (int)admittedEntry["count"]);
        await subscriber.UnsubscribeAllAsync();
    }

    [Fact]
    public async Task Admit_DropsSessionsPastExpiry_WithAnExpiredEventNamingTheVisitor()
    {
        var sut = CreateSut(new RoomOptions { MaxActive = 1, ClaimWindow = TimeSpan.FromSeconds(60) });
        await sut.JoinAsync("first", queueOff: false);
        await sut.JoinAsync("second", queueOff: false);
        Assert.Equal(1, (await sut.AdmitAsync(await sut.NextFenceAsync())).Admitted);

        _time.Advance(TimeSpan.FromSeconds(61));
        var result = await sut.AdmitAsync(await sut.NextFenceAsync());

        Assert.Equal((1, 1), (result.Expired, result.Admitted));
        var expired = Assert.Single(await Db.StreamRangeAsync(sut.Keys.Events), e => e[WaitingRoomEventFields.Type] == WaitingRoomEventType.Expired);
        Assert.Equal("first", (string?)expired[WaitingRoomEventFields.Visitor]);
        Assert.False(await Db.HashExistsAsync(sut.Keys.Visitors, "first"));
    }

    [Fact]
    public async Task Reap_RemovesExactlyTheVisitorsUnseenForAbandonAfter_OneEventEach()
    {
        var sut = CreateSut(new RoomOptions { AbandonAfter = TimeSpan.FromSeconds(30) });
        var tickets = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            tickets.Add((await sut.JoinAsync($"v{i}", queueOff: false)).Ticket);
        }

        _time.Advance(TimeSpan.FromSeconds(20));
        var states = await sut.TouchAsync(tickets.Take(4).ToList());
        _time.Advance(TimeSpan.FromSeconds(10));

        var result = await sut.ReapAsync();

        Assert.All(states, s => Assert.Equal(TicketState.Waiting, s));
        Assert.Equal(6, result.Reaped);
        Assert.Equal(0, result.FreedActive);
        Assert.Equal(Enumerable.Range(0, 4).Select(i => $"v{i}"), (await Db.SortedSetRangeByRankAsync(sut.Keys.Waiting)).Select(v => (string)v!));
        var abandoned = (await Db.StreamRangeAsync(sut.Keys.Events)).Where(e => e[WaitingRoomEventFields.Type] == WaitingRoomEventType.Abandoned).ToList();
        Assert.Equal(Enumerable.Range(4, 6).Select(i => $"v{i}"), abandoned.Select(e => (string)e[WaitingRoomEventFields.Visitor]!).Order(StringComparer.Ordinal));
        Assert.Equal(0, (await sut.ReapAsync()).Reaped);
        Assert.Equal(tickets.Take(4), (await Db.SortedSetRangeByRankAsync(sut.Keys.Seen)).Select(t => (string)t!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Reap_AdmittedVisitorWithoutHeartbeats_KeepsTheSlot_DropsItsWaitingHeartbeat_UntilItHeartbeatsAndVanishes()
    {
        var sut = CreateSut(new RoomOptions { AbandonAfter = TimeSpan.FromSeconds(30) });
        var ticket = (await sut.JoinAsync("v", queueOff: false)).Ticket;
        await sut.AdmitAsync(await sut.NextFenceAsync());

        _time.Advance(TimeSpan.FromSeconds(40));
        Assert.Equal(0, (await sut.ReapAsync()).Reaped);
        Assert.Equal(0, await Db.SortedSetLengthAsync(sut.Keys.Seen));
        Assert.Equal(TicketState.Active, (await sut.GetStatusAsync(ticket)).State);

        Assert.Equal([TicketState.Active], await sut.KeepAliveAsync([ticket]));
        _time.Advance(TimeSpan.FromSeconds(31));
        var reaped = await sut.ReapAsync();

        Assert.Equal(new ReapResult(1, 1), reaped);
        Assert.Equal(TicketState.Gone, (await sut.GetStatusAsync(ticket)).State);
    }

    [Fact]
    public async Task Touch_TheWaitingPagesHeartbeatAfterTheAdmission_DoesNotStartWatching_ButKeepsAWatchedVisitorSeen()
    {
        var sut = CreateSut(new RoomOptions { AbandonAfter = TimeSpan.FromSeconds(30) });
        var shopper = (await sut.JoinAsync("shopper", queueOff: false)).Ticket;
        var watched = (await sut.JoinAsync("watched", queueOff: false)).Ticket;
        await sut.AdmitAsync(await sut.NextFenceAsync());

        // The waiting page beats once more as it leaves for the site (a site without the keep-alive): nothing is watched.
        Assert.Equal([TicketState.Active, TicketState.Active], await sut.TouchAsync([shopper, watched]));
        Assert.Equal(0, await Db.SortedSetLengthAsync(sut.Keys.ActiveSeen));
        await sut.KeepAliveAsync([watched]); // the other one's page on the site keeps it alive
        _time.Advance(TimeSpan.FromSeconds(20));
        await sut.TouchAsync([watched]); // its waiting page, still open, beats too
        _time.Advance(TimeSpan.FromSeconds(20));
        var reaped = await sut.ReapAsync();

        Assert.Equal(new ReapResult(0, 0), reaped);
        Assert.Equal(TicketState.Active, (await sut.GetStatusAsync(shopper)).State);
        Assert.Equal(TicketState.Active, (await sut.GetStatusAsync(watched)).State);
        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(new ReapResult(1, 1), await sut.ReapAsync());
        Assert.Equal(TicketState.Gone, (await sut.GetStatusAsync(watched)).State);
        Assert.Equal(TicketState.Active, (await sut.GetStatusAsync(shopper)).State);
    }

    [Fact]
    public async Task Touch_GoneTicket_ReportsGone_AndDoesNotResurrectIt()
    {
        var sut = CreateSut();

        var states = await sut.TouchAsync(["no-such-ticket"]);

        Assert.Equal([TicketState.Gone], states);
        Assert.Equal(0, await Db.SortedSetLengthAsync(sut.Keys.Seen));
    }

    [Fact]
    public async Task EndSession_FreesTheSlotOnce_WithAnEndedEvent()
    {
        var sut = CreateSut();
        var ticket = (await sut.JoinAsync("buyer", queueOff: true)).Ticket;

        Assert.True(await sut.EndSessionAsync(ticket, "purchase"));
        Assert.False(await sut.EndSessionAsync(ticket, "purchase"));

        Assert.Equal(0, await Db.SortedSetLengthAsync(sut.Keys.Active));
        var ended = Assert.Single(await Db.StreamRangeAsync(sut.Keys.Events));
        Assert.Equal((WaitingRoomEventType.Ended, "buyer"), ((string?)ended[WaitingRoomEventFields.Type], (string?)ended[WaitingRoomEventFields.Visitor]));
        Assert.False((await sut.JoinAsync("buyer", queueOff: false)).Ticket == ticket);
    }

    [Fact]
    public async Task Redeem_WorksOnce_StartsAFullSession_AndFailsOnceTheAdmissionIsGone()
    {
        var sut = CreateSut(new RoomOptions { ClaimWindow = TimeSpan.FromSeconds(60), SessionDuration = TimeSpan.FromMinutes(10) });
        var ticket = (await sut.JoinAsync("v", queueOff: false)).Ticket;
        var other = (await sut.JoinAsync("w", queueOff: false)).Ticket;
        Assert.Equal(RedeemResult.AdmissionGone, await sut.RedeemAsync(ticket));
        await sut.AdmitAsync(await sut.NextFenceAsync());

        Assert.Equal(RedeemResult.Redeemed, await sut.RedeemAsync(ticket));
        Assert.Equal(RedeemResult.AlreadyUsed, await sut.RedeemAsync(ticket));
        Assert.True(await Db.KeyTimeToLiveAsync(sut.Keys.UsedCode(ticket)) > TimeSpan.FromMinutes(10));

        _time.Advance(TimeSpan.FromSeconds(61));
        await sut.AdmitAsync(await sut.NextFenceAsync());
        Assert.Equal(TicketState.Active, (await sut.GetStatusAsync(ticket)).State);
        Assert.Equal(TicketState.Gone, (await sut.GetStatusAsync(other)).State);
        Assert.Equal(RedeemResult.AdmissionGone, await sut.RedeemAsync(other));
    }

    [Fact]
    public async Task RefreshSession_SlidesExpiryForward_OnlyForActiveTickets()
    {
        var sut = CreateSut(new RoomOptions { SessionDuration = TimeSpan.FromMinutes(10) });
        var ticket = (await sut.JoinAsync("v", queueOff: true)).Ticket;
        var before = await Db.SortedSetScoreAsync(sut.Keys.Active, ticket);

        _time.Advance(TimeSpan.FromMinutes(6));
        Assert.True(await sut.RefreshSessionAsync(ticket));
        Assert.False(await sut.RefreshSessionAsync("not-active"));

        Assert.Equal(before + TimeSpan.FromMinutes(6).TotalMilliseconds, await Db.SortedSetScoreAsync(sut.Keys.Active, ticket));
        Assert.Null(await Db.SortedSetScoreAsync(sut.Keys.Active, "not-active"));
    }

    [Fact]
    public async Task Deliver_IsExactlyOnceAcrossCallers_AndOnlyForAdmittedTickets()
    {
        var sut = CreateSut();
        var admitted = (await sut.JoinAsync("a", queueOff: false)).Ticket;
        await sut.AdmitAsync(await sut.NextFenceAsync());
        var waiting = (await sut.JoinAsync("w", queueOff: false)).Ticket;

        var racing = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => sut.DeliverAsync([admitted, waiting, "no-such-ticket"], $"hub-{i}")));

        Assert.Equal(1, racing.Count(r => r[0] == DeliveryResult.Delivered));
        Assert.Equal(9, racing.Count(r => r[0] == DeliveryResult.DeliveredBefore));
        Assert.All(racing, r => Assert.Equal((DeliveryResult.NotAdmitted, DeliveryResult.NotAdmitted), (r[1], r[2])));
    }

    [Fact]
    public async Task UndeliveredAdmission_OutlivesAShortClaimWindow_ForAbandonAfter_AndDeliveryRestartsTheWindow()
    {
        // A claim window shorter than AbandonAfter (the fault rehearsal's 12 s against 30 s): an admission made while the
        // visitor's socket was down must still be there when they reconnect within AbandonAfter.
        var sut = CreateSut(new RoomOptions { ClaimWindow = TimeSpan.FromSeconds(12), AbandonAfter = TimeSpan.FromSeconds(30) });
        var ticket = (await sut.JoinAsync("v", queueOff: false)).Ticket;
        var neverBack = (await sut.JoinAsync("gone", queueOff: false)).Ticket;
        await sut.AdmitAsync(await sut.NextFenceAsync());

        _time.Advance(TimeSpan.FromSeconds(20));
        await sut.AdmitAsync(await sut.NextFenceAsync());
        Assert.Equal(TicketState.Active, (await sut.GetStatusAsync(ticket)).State);

        Assert.Equal([DeliveryResult.Delivered], await sut.DeliverAsync([ticket], "hub-a"));
        _time.Advance(TimeSpan.FromSeconds(11));
        await sut.AdmitAsync(await sut.NextFenceAsync());
        Assert.Equal(TicketState.Active, (await sut.GetStatusAsync(ticket)).State);
        Assert.Equal(new TicketStatus(TicketState.Gone, 0, GoneReason.Expired), await sut.GetStatusAsync(neverBack));

        _time.Advance(TimeSpan.FromSeconds(2));
        var lapsed = await sut.AdmitAsync(await sut.NextFenceAsync());
        Assert.Equal(1, lapsed.Expired);
        Assert.Equal(new TicketStatus(TicketState.Gone, 0, GoneReason.Expired), await sut.GetStatusAsync(ticket));
    }

    [Fact]
    public async Task Deliver_AfterTheVisitorEntered_SaysEntered_AndNeverShortensTheSession()
    {
        var sut = CreateSut(new RoomOptions { ClaimWindow = TimeSpan.FromSeconds(60), SessionDuration = TimeSpan.FromMinutes(10) });
        var ticket = (await sut.JoinAsync("v", queueOff: false)).Ticket;
        await sut.AdmitAsync(await sut.NextFenceAsync());
        Assert.Equal(RedeemResult.Redeemed, await sut.RedeemAsync(ticket));
        var session = await Db.SortedSetScoreAsync(sut.Keys.Active, ticket);

        Assert.Equal([DeliveryResult.Entered], await sut.DeliverAsync([ticket], "late-hub"));

        Assert.Equal(session, await Db.SortedSetScoreAsync(sut.Keys.Active, ticket));
        Assert.Null(await sut.DeliveredByAsync(ticket));
    }

    [Fact]
    public async Task Deliver_ABatchOfThousandsOverSeveralChunks_GivesEachTicketItsOwnResult()
    {
        // More tickets than the script's chunk of a thousand, mixing every case, one ticket twice in the same call.
        var sut = CreateSut(new RoomOptions { MaxActive = 2_500 });
        var tickets = new List<string>();
        for (var i = 0; i < 2_500; i++)
        {
            tickets.Add((await sut.JoinAsync($"v{i}", queueOff: false)).Ticket);
        }

        Assert.Equal(2_500, (await sut.AdmitAsync(await sut.NextFenceAsync())).Admitted);
        var waiting = (await sut.JoinAsync("still-waiting", queueOff: false)).Ticket;
        Assert.Equal([DeliveryResult.Delivered], await sut.DeliverAsync([tickets[1_500]], "poll"));
        Assert.Equal(RedeemResult.Redeemed, await sut.RedeemAsync(tickets[2_100]));
        string[] batch = [.. tickets, waiting, tickets[42]];

        var results = await sut.DeliverAsync(batch, "hub-a");

        Assert.Equal(batch.Length, results.Length);
        for (var i = 0; i < tickets.Count; i++)
        {
            var expected = i switch
            {
                1_500 => DeliveryResult.DeliveredBefore,
                2_100 => DeliveryResult.Entered,
                _ => DeliveryResult.Delivered,
            };
            Assert.Equal(expected, results[i]);
        }

        Assert.Equal(DeliveryResult.NotAdmitted, results[^2]);
        Assert.Equal(DeliveryResult.DeliveredBefore, results[^1]);
        Assert.Equal("hub-a", await sut.DeliveredByAsync(tickets[999]));
        Assert.Equal("poll", await sut.DeliveredByAsync(tickets[1_500]));
        Assert.Null(await sut.DeliveredByAsync(tickets[2_100]));
        Assert.All(await sut.DeliverAsync(batch, "hub-b"), r => Assert.NotEqual(DeliveryResult.Delivered, r));
    }

    [Fact]
    public async Task Deliver_InTheNextClaimWindowsHash_StillFindsTheDeliveryMadeJustBefore_UntilTheAdmissionLapses()
    {
        var claimWindow = TimeSpan.FromSeconds(60);
        var sut = CreateSut(new RoomOptions { ClaimWindow = claimWindow, AbandonAfter = TimeSpan.FromSeconds(30) });
        // Just before a window's end, so the next delivery falls in the next window's hash.
        var intoWindow = _time.GetUtcNow().ToUnixTimeMilliseconds() % (long)claimWindow.TotalMilliseconds;
        _time.Advance(claimWindow - TimeSpan.FromMilliseconds(intoWindow) - TimeSpan.FromSeconds(1));
        var ticket = (await sut.JoinAsync("v", queueOff: false)).Ticket;
        await sut.AdmitAsync(await sut.NextFenceAsync());
        Assert.Equal([DeliveryResult.Delivered], await sut.DeliverAsync([ticket], "hub-a"));

        _time.Advance(claimWindow - TimeSpan.FromSeconds(2));
        Assert.Equal([DeliveryResult.DeliveredBefore], await sut.DeliverAsync([ticket], "hub-b"));
        Assert.Equal("hub-a", await sut.DeliveredByAsync(ticket));
        var hashes = await Task.WhenAll(
            Enumerable.Range(-1, 2).Select(w => Db.KeyTimeToLiveAsync(sut.Keys.Notices((_time.GetUtcNow().ToUnixTimeMilliseconds() / 60_000) + w))));
        Assert.Contains(hashes, ttl => ttl is { } t && t > claimWindow && t <= 2 * claimWindow);

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal([DeliveryResult.NotAdmitted], await sut.DeliverAsync([ticket], "hub-b"));
    }

    [Fact]
    public async Task GetStatuses_ManyTicketsInChunks_GiveEachItsPositionAdmissionOrDeparture()
    {
        var sut = CreateSut(new RoomOptions { MaxActive = 1, AbandonAfter = TimeSpan.FromSeconds(30) });
        var admitted = (await sut.JoinAsync("first", queueOff: false)).Ticket;
        var waiting = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            waiting.Add((await sut.JoinAsync($"w{i}", queueOff: false)).Ticket);
        }

        await sut.AdmitAsync(await sut.NextFenceAsync());
        Assert.True(await sut.EndSessionAsync(admitted, "purchase"));
        string[] tickets = [.. waiting, admitted, "never-issued"];

        var statuses = await sut.GetStatusesAsync(tickets, chunkSize: 2);

        Assert.Equal(
            [
                new TicketStatus(TicketState.Waiting, 1, Sequence: 2), new TicketStatus(TicketState.Waiting, 2, Sequence: 3),
                new TicketStatus(TicketState.Waiting, 3, Sequence: 4), new TicketStatus(TicketState.Waiting, 4, Sequence: 5),
                new TicketStatus(TicketState.Waiting, 5, Sequence: 6),
                new TicketStatus(TicketState.Gone, 0, GoneReason.Ended), new TicketStatus(TicketState.Gone, 0, GoneReason.Unknown),
            ],
            statuses);
        await sut.AdmitAsync(await sut.NextFenceAsync());
        Assert.Equal(new TicketStatus(TicketState.Active, 0), await sut.GetStatusAsync(waiting[0]));
    }

    [Fact]
    public async Task GoneTickets_TellWhyTheyLeft_ExpiredAbandonedOrEnded_UntilGoneRetentionPasses()
    {
        var sut = CreateSut(new RoomOptions { MaxActive = 2, ClaimWindow = TimeSpan.FromSeconds(60), AbandonAfter = TimeSpan.FromSeconds(30) });
        var lapses = (await sut.JoinAsync("lapses", queueOff: false)).Ticket;
        var buys = (await sut.JoinAsync("buys", queueOff: false)).Ticket;
        var leaves = (await sut.JoinAsync("leaves", queueOff: false)).Ticket;
        await sut.AdmitAsync(await sut.NextFenceAsync());
        Assert.True(await sut.EndSessionAsync(buys, "purchase"));
        _time.Advance(TimeSpan.FromSeconds(61));
        await sut.ReapAsync();
        await sut.AdmitAsync(await sut.NextFenceAsync());

        Assert.Equal(GoneReason.Expired, (await sut.GetStatusAsync(lapses)).Reason);
        Assert.Equal(GoneReason.Ended, (await sut.GetStatusAsync(buys)).Reason);
        Assert.Equal(GoneReason.Abandoned, (await sut.GetStatusAsync(leaves)).Reason);
        Assert.Equal([GoneReason.Expired, GoneReason.Ended, GoneReason.Abandoned, GoneReason.Unknown], await sut.GoneReasonsAsync([lapses, buys, leaves, "never-existed"]));
        Assert.Equal(["expired", "ended", "abandoned", "expired"], new[] { GoneReason.Expired, GoneReason.Ended, GoneReason.Abandoned, GoneReason.Unknown }.Select(r => r.ToWireReason()));

        Assert.Equal(2, await Db.SortedSetLengthAsync(sut.Keys.Revoked));

        _time.Advance(sut.GoneRetention + TimeSpan.FromSeconds(1));
        await sut.ReapAsync();

        Assert.Equal(0, await Db.SortedSetLengthAsync(sut.Keys.Gone));
        Assert.Equal(0, await Db.HashLengthAsync(sut.Keys.GoneReasons));
        Assert.Equal(0, await Db.SortedSetLengthAsync(sut.Keys.Revoked));
        Assert.Equal(GoneReason.Unknown, (await sut.GetStatusAsync(leaves)).Reason);
    }

    [Fact]
    public async Task AdmissionsThatEnd_EndedReapedOrExpired_AreLoggedAsRevokedAndPublished_ButAWaitingVisitorWhoLeavesIsNot()
    {
        var sut = CreateSut(new RoomOptions { MaxActive = 3, ClaimWindow = TimeSpan.FromSeconds(60), AbandonAfter = TimeSpan.FromSeconds(30) });
        var messages = new List<string>();
        var channel = await _connection.GetSubscriber().SubscribeAsync(sut.Keys.Notify);
        channel.OnMessage(m => { lock (messages) { messages.Add(m.Message!); } });
        var buys = (await sut.JoinAsync("buys", queueOff: false)).Ticket;
        var vanishes = (await sut.JoinAsync("vanishes", queueOff: false)).Ticket;
        var lapses = (await sut.JoinAsync("lapses", queueOff: false)).Ticket;
        await sut.AdmitAsync(await sut.NextFenceAsync());
        var waits = (await sut.JoinAsync("waits", queueOff: false)).Ticket;
        var start = _time.GetUtcNow().ToUnixTimeMilliseconds();

        Assert.True(await sut.EndSessionAsync(buys, "purchase"));
        await sut.KeepAliveAsync([vanishes]);
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(new ReapResult(2, 1), await sut.ReapAsync());
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, (await sut.AdmitAsync(await sut.NextFenceAsync())).Expired);

        var revoked = await sut.RevokedSinceAsync(0);
        Assert.Equal([new RevokedAdmission(buys, start), new RevokedAdmission(vanishes, start + 31_000), new RevokedAdmission(lapses, start + 61_000)], revoked);
        Assert.DoesNotContain(revoked, r => r.Ticket == waits);
        Assert.Equal(revoked[1..], await sut.RevokedSinceAsync(start + 31_000));

        Assert.True(await SpinUntilAsync(() => { lock (messages) { return messages.Count(m => RoomNotice.TryParse(m, out var n) && n.Kind == RoomNoticeKind.Revoked) == 3; } }));
        var published = new List<RevokedAdmission>();
        foreach (var message in messages)
        {
            if (RoomNotice.TryParse(message, out var notice) && notice.Kind == RoomNoticeKind.Revoked)
            {
                published.AddRange(notice.Tickets.Select(t => new RevokedAdmission(t, notice.Number)));
            }
        }

        Assert.Equal(revoked, published);
        await channel.UnsubscribeAsync();
    }

    [Fact]
    public async Task RevokedLog_AWriterWhoseClockIsBehind_NeverWritesAnOlderTime_SoPollingFromTheLastTimeMissesNothing()
    {
        var room = UniqueName.For("room");
        var options = new RoomOptions { MaxActive = 2 };
        var sut = new QueueStore(_connection, room, options, _time);
        var behind = new QueueStore(_connection, room, options, new FakeTimeProvider(_time.GetUtcNow() - TimeSpan.FromSeconds(5)));
        var first = (await sut.JoinAsync("a", queueOff: true)).Ticket;
        var second = (await sut.JoinAsync("b", queueOff: true)).Ticket;
        Assert.True(await sut.EndSessionAsync(first, "purchase"));
        var cursor = (await sut.RevokedSinceAsync(0))[^1].EndedAtMs;

        Assert.True(await behind.EndSessionAsync(second, "purchase"));

        // Both at the newest time (equal times come in ticket order).
        Assert.Equivalent(new[] { new RevokedAdmission(first, cursor), new RevokedAdmission(second, cursor) }, await sut.RevokedSinceAsync(cursor), strict: true);
    }

    [Theory]
    [InlineData("00:01:00", "00:10:00")]
    [InlineData("00:10:00", "00:11:00")]
    [InlineData("1.00:00:00", "1.00:01:00")]
    public void GoneRetention_IsAtLeastTenMinutes_AndOutlastsEveryAdmissionCookie(string sessionDuration, string expected)
    {
        var sut = CreateSut(new RoomOptions { SessionDuration = TimeSpan.Parse(sessionDuration, System.Globalization.CultureInfo.InvariantCulture) });

        Assert.Equal(TimeSpan.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), sut.GoneRetention);
        Assert.True(sut.GoneRetention >= sut.RevokedFor);
        Assert.Equal(sut.Options.SessionDuration + QueueStore.RevocationMargin, sut.RevokedFor);
    }

    private static async Task<bool> SpinUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        return condition();
    }
}
