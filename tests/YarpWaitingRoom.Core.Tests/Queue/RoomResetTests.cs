using Microsoft.Extensions.Time.Testing;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Switch;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Tests.Queue;

/// <summary>A room emptied between rehearsals: what goes, what stays (the event stream, the locks, the admission fencing).</summary>
public sealed class RoomResetTests(RedisFixture redis)
{
    private static readonly RoomOptions Options = new() { MaxActive = 2 };

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Reset_EmptiesQueueSessionsStateAndPerItemKeys_ButKeepsTheEventStreamItsGroupTheLocksAndTheSequence()
    {
        await using var connection = await redis.ConnectAsync();
        var db = connection.GetDatabase();
        var sut = new QueueStore(connection, UniqueName.For("room"), Options, _time);
        var store = new SwitchStore(connection, sut.Keys, Options);
        await store.SetModeAsync(RoomMode.On, _time.GetUtcNow());
        var entered = (await sut.JoinAsync("entered", queueOff: false)).Ticket;
        var admitted = (await sut.JoinAsync("admitted", queueOff: false)).Ticket;
        await sut.AdmitAsync(await sut.NextFenceAsync());
        await sut.DeliverAsync([entered, admitted], "hub-a");
        await sut.RedeemAsync(entered);
        await sut.EndSessionAsync(entered, "purchase");
        foreach (var visitor in new[] { "waiting-1", "waiting-2", "waiting-3" })
        {
            await sut.JoinAsync(visitor, queueOff: false);
        }

        await db.HashIncrementAsync(sut.Keys.Rate(_time.GetUtcNow().ToUnixTimeSeconds()), "n");
        // A scheduled sale, and a draw's staging left by a drawer that died: the sale goes with the queue.
        var now = _time.GetUtcNow();
        await new YarpWaitingRoom.Scheduling.EventStore(connection, sut.Keys, _time).ScheduleAsync(
            new YarpWaitingRoom.Scheduling.ScheduledEvent("Sale", now.AddHours(1), now.AddHours(2), YarpWaitingRoom.Scheduling.DrawOrder.Lottery));
        await db.SortedSetAddAsync(sut.Keys.DrawingPlaces(7), "v", 1);
        await db.StreamCreateConsumerGroupAsync(sut.Keys.Events, "reservation", "0-0");
        var lockKey = sut.Keys.Lock("admit");
        await db.StringSetAsync(lockKey, "holder");
        var events = await db.StreamLengthAsync(sut.Keys.Events);
        var before = await RoomKeysAsync(connection, sut);
        Assert.All(sut.Keys.ItemKeyPrefixes, prefix => Assert.Contains(before, key => key.StartsWith(prefix, StringComparison.Ordinal)));

        var result = await sut.ResetAsync(Cancellation);

        Assert.Equal((sut.Keys.Room, 3L, 1L), (result.Room, result.Waiting, result.Active));
        Assert.Equal(
            new[] { sut.Keys.Events.ToString(), lockKey, sut.Keys.State.ToString(), sut.Keys.Sequence.ToString() }.Order(StringComparer.Ordinal),
            (await RoomKeysAsync(connection, sut)).Order(StringComparer.Ordinal));
        Assert.Equal(before.Count - 4, result.KeysRemoved);
        Assert.Equal(events, await db.StreamLengthAsync(sut.Keys.Events));
        Assert.Equal("reservation", Assert.Single(await db.StreamGroupInfoAsync(sut.Keys.Events)).Name);
        Assert.Equal(
            new[] { RoomStateFields.Fence, RoomStateFields.FenceSequence, RoomStateFields.Version }.Order(StringComparer.Ordinal),
            (await db.HashKeysAsync(sut.Keys.State)).Select(field => field.ToString()).Order(StringComparer.Ordinal));
        var fresh = await store.ReadAsync(_time.GetUtcNow());
        Assert.Equal((RoomMode.Auto, false, 0L, 0L), (fresh.Mode, fresh.Switch.QueueOn, fresh.Waiting, fresh.Active));

        // The sequence goes on: every ticket from before the reset is behind the new front, none is taken for waiting.
        var front = await sut.ReadFrontAsync(afterEventId: null);
        Assert.Equal(5, front.Front);
        var rejoined = await sut.JoinAsync("waiting-1", queueOff: false);
        Assert.Equal(6, (await sut.GetStatusAsync(rejoined.Ticket)).Sequence);
    }

    [Fact]
    public async Task Reset_AnnouncesTheStatesNextVersionOnTheRoomsChannel_SoACompareAndSetBegunBeforeFails()
    {
        await using var connection = await redis.ConnectAsync();
        var sut = new QueueStore(connection, UniqueName.For("room"), Options, _time);
        var store = new SwitchStore(connection, sut.Keys, Options);
        var channel = await connection.GetSubscriber().SubscribeAsync(sut.Keys.Notify);
        await store.SetModeAsync(RoomMode.Paused, _time.GetUtcNow());
        var before = await store.ReadAsync(_time.GetUtcNow());

        var result = await sut.ResetAsync(Cancellation);

        Assert.Equal(before.Version + 1, result.StateVersion);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        var modeChange = (await channel.ReadAsync(timeout.Token)).Message.ToString();
        var reset = (await channel.ReadAsync(timeout.Token)).Message.ToString();
        Assert.Equal(RoomNotice.State(before.Version).Format(), modeChange);
        Assert.True(RoomNotice.TryParse(reset, out var notice), reset);
        Assert.Equal((RoomNoticeKind.State, result.StateVersion), (notice.Kind, notice.Number));
        Assert.False(await store.TryWriteAsync(before.Version, before.Mode, before.Switch, 0, 0, SwitchStore.Announce.Message, _time.GetUtcNow()));
        Assert.Equal(RoomMode.Auto, (await store.ReadAsync(_time.GetUtcNow())).Mode);
        await channel.UnsubscribeAsync();
    }

    [Fact]
    public async Task Reset_AfterAFenceWasAccepted_AStaleLockHolderCannotLockOutTheNextOne()
    {
        await using var connection = await redis.ConnectAsync();
        var sut = new QueueStore(connection, UniqueName.For("room"), Options, _time);
        await sut.NextFenceAsync();
        await sut.NextFenceAsync();
        var paused = await sut.NextFenceAsync();
        await sut.AdmitAsync(paused);

        await sut.ResetAsync(Cancellation);
        // The holder from before the reset wakes up and admits once more (its fence is still the newest accepted).
        await sut.AdmitAsync(paused);
        await sut.JoinAsync("after-reset", queueOff: false);
        var next = await sut.NextFenceAsync();
        var admission = await sut.AdmitAsync(next);

        Assert.True(next > paused, $"the fence after the reset ({next}) is not above the one accepted before ({paused})");
        Assert.False(admission.Fenced);
        Assert.Equal(1, admission.Admitted);
        Assert.True((await sut.AdmitAsync(paused)).Fenced);
    }

    [Fact]
    public async Task Reset_RoomNameWithGlobCharacters_LeavesEveryOtherRoomsKeys()
    {
        await using var connection = await redis.ConnectAsync();
        var db = connection.GetDatabase();
        var name = UniqueName.For("glob");
        var sut = new QueueStore(connection, name + "?", Options, _time);
        var neighbour = new QueueStore(connection, name + "x", Options, _time);
        var second = _time.GetUtcNow().ToUnixTimeSeconds();
        await db.HashIncrementAsync(sut.Keys.Rate(second), "n");
        await db.HashIncrementAsync(neighbour.Keys.Rate(second), "n");
        await neighbour.JoinAsync("neighbour", queueOff: false);

        await sut.ResetAsync(Cancellation);

        Assert.False(await db.KeyExistsAsync(sut.Keys.Rate(second)));
        Assert.True(await db.KeyExistsAsync(neighbour.Keys.Rate(second)));
        Assert.Equal(1, await db.SortedSetLengthAsync(neighbour.Keys.Waiting));
    }

    private static async Task<List<string>> RoomKeysAsync(StackExchange.Redis.ConnectionMultiplexer connection, QueueStore sut)
    {
        // Every primary: on a cluster the room's keys live on whichever master their slot lands.
        var keys = new List<string>();
        foreach (var server in connection.GetServers().Where(server => !server.IsReplica))
        {
            await foreach (var key in server.KeysAsync(pattern: sut.Keys.ScanPattern).WithCancellation(Cancellation))
            {
                keys.Add(key.ToString());
            }
        }

        return keys;
    }
}
