using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Switch;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Tests.Queue;

/// <summary>A room emptied between rehearsals: what goes, what stays (the event stream, the locks, the admission fencing).</summary>
public sealed class RoomResetTests(RedisFixture redis) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
    private ConnectionMultiplexer _connection = null!;

    private IDatabase Db => _connection.GetDatabase();

    public async ValueTask InitializeAsync() => _connection = await redis.Server.ConnectAsync();

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    private QueueStore CreateSut(string? room = null) =>
        new(_connection, room ?? UniqueName.For("room"), new RoomOptions { MaxActive = 2, AbandonAfter = TimeSpan.FromSeconds(30) }, _time);

    [Fact]
    public async Task Reset_EmptiesQueueSessionsStateAndPerItemKeys_ButKeepsTheEventStreamItsGroupAndTheLocks()
    {
        var sut = CreateSut();
        var store = new SwitchStore(_connection, sut.Keys, sut.Options);
        await store.SetModeAsync(RoomMode.On, _time.GetUtcNow());
        var entered = (await sut.JoinAsync("entered", "/", queueOff: false)).Ticket;
        var admitted = (await sut.JoinAsync("admitted", "/", queueOff: false)).Ticket;
        await sut.AdmitAsync(await sut.NextFenceAsync());
        await sut.DeliverAsync([entered, admitted], "hub-a");
        await sut.RedeemAsync(entered);
        await sut.EndSessionAsync(entered, "purchase");
        await sut.JoinAsync("waiting-1", "/", queueOff: false);
        await sut.JoinAsync("waiting-2", "/", queueOff: false);
        await sut.JoinAsync("waiting-3", "/", queueOff: false);
        await Db.HashIncrementAsync(sut.Keys.Rate(_time.GetUtcNow().ToUnixTimeSeconds()), "n");
        await Db.StreamCreateConsumerGroupAsync(sut.Keys.Events, "reservation", "0-0");
        var lockKey = (RedisKey)sut.Keys.Lock("admit");
        await Db.StringSetAsync(lockKey, "holder");
        var events = await Db.StreamLengthAsync(sut.Keys.Events);
        var before = await RoomKeysAsync(sut);
        foreach (var prefix in sut.Keys.ItemKeyPrefixes)
        {
            Assert.Contains(before, key => key.StartsWith(prefix, StringComparison.Ordinal));
        }

        var result = await sut.ResetAsync(TestContext.Current.CancellationToken);

        Assert.Equal((sut.Keys.Room, 3L, 1L), (result.Room, result.Waiting, result.Active));
        Assert.Equal(
            new[] { sut.Keys.Events.ToString(), lockKey.ToString(), sut.Keys.State.ToString() }.Order(StringComparer.Ordinal),
            (await RoomKeysAsync(sut)).Order(StringComparer.Ordinal));
        Assert.Equal(before.Count - 3, result.KeysRemoved);
        Assert.Equal(events, await Db.StreamLengthAsync(sut.Keys.Events));
        Assert.Equal("reservation", Assert.Single(await Db.StreamGroupInfoAsync(sut.Keys.Events)).Name);
        Assert.Equal(["fence", "fenceSeq", "version"], (await Db.HashKeysAsync(sut.Keys.State)).Select(f => (string)f!).Order(StringComparer.Ordinal));
        var fresh = await store.ReadAsync(_time.GetUtcNow());
        Assert.Equal((RoomMode.Auto, false, 0L, 0L), (fresh.Mode, fresh.Switch.QueueOn, fresh.Waiting, fresh.Active));
    }

    [Fact]
    public async Task Reset_AnnouncesTheStatesNextVersionOnTheRoomsChannel_SoACompareAndSetBegunBeforeFails()
    {
        var sut = CreateSut();
        var store = new SwitchStore(_connection, sut.Keys, sut.Options);
        var messages = new List<string>();
        var channel = await _connection.GetSubscriber().SubscribeAsync(sut.Keys.Notify);
        channel.OnMessage(m => { lock (messages) { messages.Add(m.Message!); } });
        await store.SetModeAsync(RoomMode.Paused, _time.GetUtcNow());
        var before = await store.ReadAsync(_time.GetUtcNow());

        var result = await sut.ResetAsync(TestContext.Current.CancellationToken);

        Assert.Equal(2, result.StateVersion);
        Assert.True(await SpinUntilAsync(() => { lock (messages) { return messages.Count == 2; } }), "no announcement of the reset");
        Assert.Equal(["state|1", "state|2"], messages);
        Assert.False(await store.TryWriteAsync(before.Version, before.Mode, before.Switch, 0, 0, SwitchStore.Announce.Message, _time.GetUtcNow()));
        Assert.Equal(RoomMode.Auto, (await store.ReadAsync(_time.GetUtcNow())).Mode);
        await channel.UnsubscribeAsync();
    }

    [Fact]
    public async Task Reset_AfterAFenceWasAccepted_AStaleLockHolderCannotLockOutTheNextOne()
    {
        var sut = CreateSut();
        await sut.NextFenceAsync();
        await sut.NextFenceAsync();
        var paused = await sut.NextFenceAsync();
        await sut.AdmitAsync(paused);

        await sut.ResetAsync(TestContext.Current.CancellationToken);
        // The holder from before the reset wakes up and admits once more (its fence is still the newest accepted).
        await sut.AdmitAsync(paused);
        await sut.JoinAsync("after-reset", "/", queueOff: false);
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
        var name = UniqueName.For("glob");
        var sut = CreateSut(name + "?");
        var neighbour = CreateSut(name + "x");
        var second = _time.GetUtcNow().ToUnixTimeSeconds();
        await Db.HashIncrementAsync(sut.Keys.Rate(second), "n");
        await Db.HashIncrementAsync(neighbour.Keys.Rate(second), "n");
        await neighbour.JoinAsync("neighbour", "/", queueOff: false);

        await sut.ResetAsync(TestContext.Current.CancellationToken);

        Assert.False(await Db.KeyExistsAsync(sut.Keys.Rate(second)));
        Assert.True(await Db.KeyExistsAsync(neighbour.Keys.Rate(second)));
        Assert.Equal(1, await Db.SortedSetLengthAsync(neighbour.Keys.Waiting));
    }

    private async Task<List<string>> RoomKeysAsync(QueueStore sut)
    {
        var keys = new List<string>();
        await foreach (var key in _connection.GetServer(_connection.GetEndPoints()[0]).KeysAsync(pattern: sut.Keys.ScanPattern).WithCancellation(TestContext.Current.CancellationToken))
        {
            keys.Add(key.ToString());
        }

        return keys;
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
