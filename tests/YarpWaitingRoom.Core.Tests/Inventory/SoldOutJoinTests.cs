using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using YarpWaitingRoom.Events;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Scheduling;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Tests.Inventory;

/// <summary>
/// Joining a sold-out room and giving up a place on purpose, in a real Redis: a room that closes once sold out takes no
/// new place (and keeps every held one), a direct admission obeys the inventory's bound, and a place left on purpose
/// is freed at once for the visitors behind.
/// </summary>
public sealed class SoldOutJoinTests(RedisFixture redis) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 20, 0, 0, TimeSpan.Zero));
    private ConnectionMultiplexer _connection = null!;

    private IDatabase Db => _connection.GetDatabase();

    public async ValueTask InitializeAsync() => _connection = await redis.ConnectAsync();

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    private QueueStore Queue(SoldOutPolicy whenSoldOut = SoldOutPolicy.KeepQueue, double admitPerSeat = 2.0) =>
        new(_connection, UniqueName.For("soldout"), new RoomOptions { WhenSoldOut = whenSoldOut, AdmitPerSeat = admitPerSeat }, _time);

    [Fact]
    public async Task Join_InAClosingRoom_TakesNoNewPlaceWhileSoldOut_ButGivesEveryHeldPlaceBack()
    {
        var queue = Queue(SoldOutPolicy.Close);
        var held = await queue.JoinAsync("holder", queueOff: false);
        await queue.SetInventoryAsync(0, _time.GetUtcNow(), "test");

        var refused = await queue.JoinAsync("newcomer", queueOff: false);
        var again = await queue.JoinAsync("holder", queueOff: false);
        var (waiting, _) = await queue.CountsAsync();

        Assert.True(refused.IsRefused);
        Assert.Equal(string.Empty, refused.Ticket);
        Assert.Equal(held.Ticket, again.Ticket);
        Assert.Equal(TicketState.Waiting, again.State);
        Assert.Equal(1, waiting);
    }

    [Fact]
    public async Task Join_InAClosingRoom_TakesPlacesAgain_OnceSeatsComeBack()
    {
        var queue = Queue(SoldOutPolicy.Close);
        await queue.SetInventoryAsync(0, _time.GetUtcNow(), "test");
        Assert.True((await queue.JoinAsync("early", queueOff: false)).IsRefused);

        _time.Advance(TimeSpan.FromSeconds(1));
        await queue.SetInventoryAsync(3, _time.GetUtcNow(), "test");
        var joined = await queue.JoinAsync("early", queueOff: false);

        Assert.False(joined.IsRefused);
        Assert.Equal(TicketState.Waiting, joined.State);
    }

    [Fact]
    public async Task Join_InARoomThatKeepsItsQueue_TakesPlacesWhileSoldOut()
    {
        var queue = Queue(SoldOutPolicy.KeepQueue);
        await queue.SetInventoryAsync(0, _time.GetUtcNow(), "test");

        var joined = await queue.JoinAsync("newcomer", queueOff: false);

        Assert.False(joined.IsRefused);
        Assert.Equal(TicketState.Waiting, joined.State);
        Assert.Equal(1, joined.Position);
    }

    [Fact]
    public async Task Join_InAClosingRoom_TakesNoNewPrequeuePlaceWhileSoldOut()
    {
        var queue = Queue(SoldOutPolicy.Close);
        var now = _time.GetUtcNow();
        await new EventStore(_connection, queue.Keys, _time).ScheduleAsync(new ScheduledEvent("Concert", now.AddMinutes(-1), now.AddMinutes(10), DrawOrder.Lottery));
        var participant = await queue.JoinAsync("participant", queueOff: false);
        await queue.SetInventoryAsync(0, now, "test");

        var refused = await queue.JoinAsync("late", queueOff: false);
        var again = await queue.JoinAsync("participant", queueOff: false);

        Assert.Equal(TicketState.Prequeue, participant.State);
        Assert.True(refused.IsRefused);
        Assert.Equal(participant.Receipt, again.Receipt);
    }

    [Fact]
    public async Task Join_WithTheQueueOff_AdmitsDirectlyNoMoreThanTheInventoryBound()
    {
        var queue = Queue(admitPerSeat: 1.0);
        await queue.SetInventoryAsync(2, _time.GetUtcNow(), "test");

        var first = await queue.JoinAsync("a", queueOff: true);
        var second = await queue.JoinAsync("b", queueOff: true);
        var third = await queue.JoinAsync("c", queueOff: true);

        Assert.Equal(TicketState.Active, first.State);
        Assert.Equal(TicketState.Active, second.State);
        Assert.Equal(TicketState.Waiting, third.State);
    }

    [Fact]
    public async Task Leave_FreesTheWaitingPlace_MovesThoseBehindUp_AndTellsWhy()
    {
        var queue = Queue();
        var first = await queue.JoinAsync("first", queueOff: false);
        var leaver = await queue.JoinAsync("leaver", queueOff: false);
        var behind = await queue.JoinAsync("behind", queueOff: false);

        var left = await queue.LeaveAsync(leaver.Ticket);
        var again = await queue.LeaveAsync(leaver.Ticket);
        var leaverStatus = await queue.GetStatusAsync(leaver.Ticket);
        var behindStatus = await queue.GetStatusAsync(behind.Ticket);
        var events = (await Db.StreamRangeAsync(queue.Keys.Events)).Where(e => e[WaitingRoomEventFields.Type] == WaitingRoomEventType.Left).ToList();
        var front = await queue.ReadFrontAsync(afterEventId: "0-0");

        Assert.Equal(LeaveResult.Left, left);
        Assert.Equal(LeaveResult.NoPlace, again);
        Assert.Equal(TicketState.Gone, leaverStatus.State);
        Assert.Equal(GoneReason.Left, leaverStatus.Reason);
        Assert.Equal("left", leaverStatus.Reason.ToWireReason());
        Assert.Equal(2, behindStatus.Position);
        Assert.Equal(1, (await queue.GetStatusAsync(first.Ticket)).Position);
        var entry = Assert.Single(events);
        Assert.Equal("waiting", (string?)entry["reason"]);
        Assert.Contains(front.Departures, d => d.Reason == GoneReason.Left && d.Ticket == leaver.Ticket && d.Sequence > 0);
    }

    [Fact]
    public async Task Leave_OfAnAdmittedTicket_ChangesNothing()
    {
        var queue = Queue();
        var joined = await queue.JoinAsync("admitted", queueOff: false);
        await queue.AdmitAsync(await queue.NextFenceAsync());

        var left = await queue.LeaveAsync(joined.Ticket);

        Assert.Equal(LeaveResult.NoPlace, left);
        Assert.Equal(TicketState.Active, (await queue.GetStatusAsync(joined.Ticket)).State);
    }

    [Fact]
    public async Task Leave_OfAPrequeueTicket_GivesUpTheReceipt()
    {
        var queue = Queue();
        var now = _time.GetUtcNow();
        await new EventStore(_connection, queue.Keys, _time).ScheduleAsync(new ScheduledEvent("Concert", now.AddMinutes(-1), now.AddMinutes(10), DrawOrder.Lottery));
        var participant = await queue.JoinAsync("participant", queueOff: false);

        var left = await queue.LeaveAsync(participant.Ticket);
        var rejoined = await queue.JoinAsync("participant", queueOff: false);

        Assert.Equal(LeaveResult.Left, left);
        Assert.Equal(TicketState.Prequeue, rejoined.State);
        Assert.NotEqual(participant.Receipt, rejoined.Receipt);
        Assert.True(rejoined.IsNew);
    }
}
