using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Scheduling;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Tests.Scheduling;

/// <summary>A scheduled sale's pre-queue and its draw, in a real Redis.</summary>
public sealed class PrequeueTests(RedisFixture redis) : IAsyncLifetime
{
    private static readonly TimeSpan UntilOpen = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan UntilStart = TimeSpan.FromMinutes(20);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 19, 0, 0, TimeSpan.Zero));
    private ConnectionMultiplexer _connection = null!;

    private IDatabase Db => _connection.GetDatabase();

    public async ValueTask InitializeAsync() => _connection = await redis.ConnectAsync();

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    private async Task<(QueueStore Queue, EventStore Events, SaleDraw Draw)> ScheduleAsync(DrawOrder order = DrawOrder.Lottery, RoomOptions? options = null)
    {
        var queue = new QueueStore(_connection, UniqueName.For("sale"), options ?? new RoomOptions(), _time);
        var events = new EventStore(_connection, queue.Keys, _time);
        var now = _time.GetUtcNow();
        var (outcome, _) = await events.ScheduleAsync(new ScheduledEvent("Concert", now + UntilOpen, now + UntilStart, order));
        Assert.Equal(ScheduleOutcome.Scheduled, outcome);
        return (queue, events, new SaleDraw(_connection, queue.Keys, _time));
    }

    [Fact]
    public async Task Join_BeforeThePrequeueOpens_QueuesAsWithoutASale()
    {
        var (queue, _, _) = await ScheduleAsync();

        var join = await queue.JoinAsync("early", queueOff: false);
        var direct = await queue.JoinAsync("direct", queueOff: true);

        Assert.Equal(TicketState.Waiting, join.State);
        Assert.Equal(1, join.Position);
        Assert.Equal(TicketState.Waiting, direct.State);
    }

    [Fact]
    public async Task Join_InThePrequeue_HoldsEvenWithTheQueueOff_WithAReceiptAndNoPosition_StableAcrossRejoins()
    {
        var (queue, _, _) = await ScheduleAsync();
        _time.Advance(UntilOpen);

        var first = await queue.JoinAsync("fan", queueOff: true);
        _time.Advance(TimeSpan.FromMinutes(5));
        var again = await queue.JoinAsync("fan", queueOff: true);
        var other = await queue.JoinAsync("other", queueOff: true);
        var status = await queue.GetStatusAsync(first.Ticket);

        Assert.Equal(TicketState.Prequeue, first.State);
        Assert.Equal(0, first.Position);
        Assert.True(first.IsNew);
        Assert.EndsWith(".p", first.Ticket, StringComparison.Ordinal);
        Assert.True(Receipts.IsValid(first.Receipt));
        Assert.Equal((first.Ticket, first.Receipt), (again.Ticket, again.Receipt));
        Assert.False(again.IsNew);
        Assert.NotEqual(first.Receipt, other.Receipt);
        Assert.Equal(TicketState.Prequeue, status.State);
        Assert.Equal(first.Receipt, status.Receipt);
        Assert.Equal(0, await Db.SortedSetLengthAsync(queue.Keys.Waiting));
        Assert.Equal(0, await Db.SortedSetLengthAsync(queue.Keys.Active));
    }

    [Fact]
    public async Task Touch_KeepsAParticipant_WhileTheReaper_RemovesOneUnseen_WhoLosesTheReceipt()
    {
        var (queue, _, _) = await ScheduleAsync();
        _time.Advance(UntilOpen);
        var kept = await queue.JoinAsync("kept", queueOff: false);
        var lost = await queue.JoinAsync("lost", queueOff: false);

        _time.Advance(queue.Options.AbandonAfter - TimeSpan.FromSeconds(1));
        Assert.Equal([TicketState.Prequeue], await queue.TouchAsync([kept.Ticket]));
        _time.Advance(TimeSpan.FromSeconds(2));
        var reaped = await queue.ReapAsync();
        var back = await queue.JoinAsync("lost", queueOff: false);

        Assert.Equal(1, reaped.Reaped);
        Assert.Equal(TicketState.Prequeue, (await queue.GetStatusAsync(kept.Ticket)).State);
        Assert.True(back.IsNew);
        Assert.NotEqual(lost.Receipt, back.Receipt);
    }

    [Fact]
    public async Task Draw_PlacesEveryParticipant_InTheOrderTheRuleGives_AndLateArrivalsGoBehind()
    {
        var (queue, events, draw) = await ScheduleAsync();
        _time.Advance(UntilOpen);
        var joins = new Dictionary<string, JoinResult>();
        for (var i = 0; i < 50; i++)
        {
            joins[$"v{i}"] = await queue.JoinAsync($"v{i}", queueOff: false);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        _time.Advance(UntilStart - UntilOpen);
        var late = await queue.JoinAsync("late", queueOff: true);
        var result = await draw.DrawAsync(await queue.NextFenceAsync());
        var stored = (await events.GetAsync())!;
        var expected = LotteryDraw.Order(stored.Seed, [.. joins.Values.Select(j => j.Receipt!)]);
        var published = (await Db.ListRangeAsync(queue.Keys.Participants)).Select(v => (string)v!).ToArray();
        var statuses = await queue.GetStatusesAsync([.. joins.Values.Select(j => j.Ticket)]);
        var lateStatus = await queue.GetStatusAsync(late.Ticket);

        Assert.Equal(TicketState.Waiting, late.State);
        Assert.Equal(51, late.Position); // behind the 50 being drawn, though none of them had a place yet
        Assert.Equal(DrawOutcome.Drawn, result.Outcome);
        Assert.Equal(50, result.Participants);
        Assert.Equal(expected, published);
        Assert.Equal(LotteryDraw.Digest(joins.Values.Select(j => j.Receipt!)), stored.Digest);
        Assert.True(stored.IsDrawn);
        var byReceipt = joins.Values.Zip(statuses).ToDictionary(p => p.First.Receipt!, p => p.Second);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(TicketState.Waiting, byReceipt[expected[i]].State);
            Assert.Equal(i + 1, byReceipt[expected[i]].Position);
            Assert.NotNull(byReceipt[expected[i]].Placed);
        }

        Assert.Equal(51, lateStatus.Position);
        Assert.Equal(0, await Db.KeyExistsAsync(queue.Keys.PrequeueFrozen) ? 1 : 0);
    }

    [Fact]
    public async Task Draw_Fifo_PlacesByArrival()
    {
        var (queue, _, draw) = await ScheduleAsync(DrawOrder.Fifo);
        _time.Advance(UntilOpen);
        var tickets = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            tickets.Add((await queue.JoinAsync($"v{i}", queueOff: false)).Ticket);
        }

        _time.Advance(UntilStart);
        await draw.DrawAsync(await queue.NextFenceAsync());
        var statuses = await queue.GetStatusesAsync(tickets);

        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), statuses.Select(s => s.Position));
    }

    [Fact]
    public async Task Draw_TwoDrawersRacingTheStart_DrawOnce_AndAStaleFenceChangesNothing()
    {
        var (queue, events, draw) = await ScheduleAsync();
        _time.Advance(UntilOpen);
        for (var i = 0; i < 200; i++)
        {
            await queue.JoinAsync($"v{i}", queueOff: false);
        }

        _time.Advance(UntilStart);
        var stale = await queue.NextFenceAsync();
        var other = new SaleDraw(_connection, queue.Keys, _time);
        var results = await Task.WhenAll(draw.DrawAsync(await queue.NextFenceAsync()), other.DrawAsync(await queue.NextFenceAsync()));
        var late = await draw.DrawAsync(stale);

        Assert.Single(results, r => r.Outcome == DrawOutcome.Drawn);
        Assert.Contains(late.Outcome, new[] { DrawOutcome.AlreadyDrawn, DrawOutcome.Fenced });
        Assert.Equal(200, await Db.SortedSetLengthAsync(queue.Keys.Waiting));
        Assert.Equal(200, await Db.ListLengthAsync(queue.Keys.Participants));
        Assert.Equal(200, (await events.GetAsync())!.Participants);
    }

    [Fact]
    public async Task Draw_StaleDrawer_IsFenced_AfterANewerGrantAdmitted()
    {
        var (queue, _, draw) = await ScheduleAsync();
        _time.Advance(UntilOpen);
        await queue.JoinAsync("a", queueOff: false);
        _time.Advance(UntilStart);
        var stale = await queue.NextFenceAsync();
        var fresh = await queue.NextFenceAsync();

        await queue.AdmitAsync(fresh); // during the draw: admits nobody, but takes the fence
        var late = await draw.DrawAsync(stale);

        Assert.Equal(DrawOutcome.Fenced, late.Outcome);
        Assert.Equal(DrawOutcome.Drawn, (await draw.DrawAsync(await queue.NextFenceAsync())).Outcome);
    }

    [Fact]
    public async Task Admit_WhileTheDrawRuns_AdmitsNobody_ThenFromTheDrawnFront()
    {
        var (queue, events, draw) = await ScheduleAsync();
        await queue.JoinAsync("before", queueOff: false); // waited before the pre-queue opened: stays ahead
        _time.Advance(UntilOpen);
        var participants = new List<JoinResult>();
        for (var i = 0; i < 10; i++)
        {
            participants.Add(await queue.JoinAsync($"v{i}", queueOff: false));
        }

        _time.Advance(UntilStart);
        await queue.JoinAsync("late", queueOff: false); // freezes the pre-queue
        var during = await queue.AdmitAsync(await queue.NextFenceAsync());
        await draw.DrawAsync(await queue.NextFenceAsync());
        var after = await queue.AdmitAsync(await queue.NextFenceAsync(), limit: 3);
        var order = LotteryDraw.Order((await events.GetAsync())!.Seed, [.. participants.Select(p => p.Receipt!)]);

        Assert.Equal(0, during.Admitted);
        Assert.Equal(3, after.Admitted);
        Assert.StartsWith("before.", after.Tickets[0], StringComparison.Ordinal);
        var visitorOf = participants.ToDictionary(p => p.Receipt!, p => p.Ticket[..^2]);
        Assert.Equal([visitorOf[order[0]], visitorOf[order[1]]], after.Tickets.Skip(1).Select(t => t[..t.LastIndexOf('.')]));
    }

    [Fact]
    public async Task Reaper_AfterTheDraw_RemovesADrawnVisitorNeverSeenAgain_ButNotOneWhoBeats()
    {
        var (queue, _, draw) = await ScheduleAsync();
        _time.Advance(UntilOpen);
        var gone = await queue.JoinAsync("gone", queueOff: false);
        var beating = await queue.JoinAsync("beating", queueOff: false);
        _time.Advance(UntilStart - UntilOpen);
        await draw.DrawAsync(await queue.NextFenceAsync());

        _time.Advance(queue.Options.AbandonAfter / 2);
        Assert.Equal([TicketState.Waiting], await queue.TouchAsync([beating.Ticket]));
        _time.Advance(queue.Options.AbandonAfter / 2 + TimeSpan.FromSeconds(1));
        await queue.ReapAsync();

        Assert.Equal(TicketState.Gone, (await queue.GetStatusAsync(gone.Ticket)).State);
        var kept = await queue.GetStatusAsync(beating.Ticket);
        Assert.Equal(TicketState.Waiting, kept.State);
        Assert.Equal(1, kept.Position);
    }

    [Fact]
    public async Task Reaper_WhileTheDrawRuns_KeepsAStaleParticipantsHeartbeat_SoTheDrawnPlaceIsReapedAfter()
    {
        var (queue, _, draw) = await ScheduleAsync();
        _time.Advance(UntilStart - queue.Options.AbandonAfter + TimeSpan.FromSeconds(5));
        var vanished = await queue.JoinAsync("vanished", queueOff: false);
        _time.Advance(queue.Options.AbandonAfter - TimeSpan.FromSeconds(5));
        await queue.JoinAsync("late", queueOff: false); // the first join after the start freezes the pre-queue
        _time.Advance(TimeSpan.FromSeconds(10)); // "vanished" is now unseen for AbandonAfter; "late" is not

        var during = await queue.ReapAsync(); // unseen for AbandonAfter, but frozen for the draw
        await draw.DrawAsync(await queue.NextFenceAsync());
        var drawnStatus = await queue.GetStatusAsync(vanished.Ticket);
        var after = await queue.ReapAsync();

        Assert.Equal(0, during.Reaped);
        Assert.Equal(TicketState.Waiting, drawnStatus.State);
        Assert.Equal(1, after.Reaped);
        Assert.Equal(TicketState.Gone, (await queue.GetStatusAsync(vanished.Ticket)).State);
    }

    [Fact]
    public async Task Draw_OfAReapedParticipant_LeavesThemOut()
    {
        var (queue, events, draw) = await ScheduleAsync();
        _time.Advance(UntilOpen);
        await queue.JoinAsync("left", queueOff: false);
        _time.Advance(TimeSpan.FromMinutes(5));
        var stayed = await queue.JoinAsync("stayed", queueOff: false);
        await queue.ReapAsync();
        _time.Advance(UntilStart - UntilOpen - TimeSpan.FromMinutes(5));
        await queue.TouchAsync([stayed.Ticket]);

        var result = await draw.DrawAsync(await queue.NextFenceAsync());

        Assert.Equal(1, result.Participants);
        Assert.Equal([stayed.Receipt], (await Db.ListRangeAsync(queue.Keys.Participants)).Select(v => (string?)v));
        Assert.Equal(LotteryDraw.Digest([stayed.Receipt!]), (await events.GetAsync())!.Digest);
    }

    [Fact]
    public async Task Join_AfterTheDraw_ByADrawnVisitor_ReturnsTheDrawnPlace()
    {
        var (queue, _, draw) = await ScheduleAsync();
        _time.Advance(UntilOpen);
        var pending = await queue.JoinAsync("fan", queueOff: false);
        _time.Advance(UntilStart);
        await draw.DrawAsync(await queue.NextFenceAsync());

        var again = await queue.JoinAsync("fan", queueOff: false);
        var status = await queue.GetStatusAsync(pending.Ticket);

        Assert.Equal(TicketState.Waiting, again.State);
        Assert.Equal(1, again.Position);
        Assert.Equal(again.Ticket, status.Placed);
    }
}
