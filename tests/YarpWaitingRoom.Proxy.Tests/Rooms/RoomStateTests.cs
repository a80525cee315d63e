using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Switch;
using YarpWaitingRoom.Testing;
using YarpWaitingRoom.Yarp.Rooms;

namespace YarpWaitingRoom.Proxy.Tests.Rooms;

/// <summary>
/// The room's cached state is replaced only by something at least as new: state calls overlap (the poll, a refresh on the
/// channel, the switch evaluator, an operator's mode change) and answer in any order.
/// </summary>
public sealed class RoomStateTests(RedisFixture redis) : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 20, 0, 0, TimeSpan.Zero);

    private ConnectionMultiplexer _connection = null!;
    private Room _sut = null!;

    public async ValueTask InitializeAsync()
    {
        _connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var options = new RoomOptions();
        _sut = new Room("concert", options, new QueueStore(_connection, "concert", options, TimeProvider.System), new SwitchStore(_connection, new RedisKeys("concert"), options), Now);
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    [Fact]
    public void ReadSentBeforeAModeChange_AnsweringAfterIt_DoesNotPutTheOldModeBack()
    {
        var slowRead = _sut.BeginStateCall();
        var modeChange = _sut.BeginStateCall();

        Assert.True(_sut.Publish(modeChange, State(version: 5, RoomMode.On)));
        Assert.False(_sut.Publish(slowRead, State(version: 4, RoomMode.Auto)));

        Assert.Equal(RoomMode.On, _sut.Snapshot.Mode);
    }

    [Fact]
    public void StateOfAHigherVersion_IsTaken_EvenFromACallBegunEarlier()
    {
        var earlier = _sut.BeginStateCall();
        var later = _sut.BeginStateCall();
        _sut.Publish(later, State(version: 5, RoomMode.Auto));

        Assert.True(_sut.Publish(earlier, State(version: 6, RoomMode.Paused)));
        Assert.Equal(RoomMode.Paused, _sut.Snapshot.Mode);
    }

    [Fact]
    public void CallBegunAfterThePublication_IsTaken_EvenWithALowerVersion_AsAfterRedisLostItsData()
    {
        _sut.Publish(_sut.BeginStateCall(), State(version: 40, RoomMode.On));

        var afterwards = _sut.BeginStateCall();

        Assert.True(_sut.Publish(afterwards, State(version: 1, RoomMode.Auto)));
        Assert.Equal(1, _sut.Snapshot.Version);
    }

    /// <summary>
    /// An operator's challenge or MaxActive change is a write of the state hash like a mode change: it must outrank a read
    /// sent before it that answered first (the 1-s poll), or the proxy that took the call answers with the old setting
    /// until its next poll. CI met it: a newcomer right after the challenge was turned on joined unchallenged.
    /// </summary>
    [Fact]
    public async Task ChallengeAndMaxActiveChanges_OutrankAReadSentBeforeThem_ThatAnsweredFirst()
    {
        var options = new RoomOptions();
        var name = "r" + Guid.NewGuid().ToString("N")[..10];
        var room = new Room(name, options, new QueueStore(_connection, name, options, TimeProvider.System), new SwitchStore(_connection, new RedisKeys(name), options), Now);

        var poll = room.BeginStateCall();
        var before = await room.Switch.ReadAsync(Now);
        var change = room.BeginStateCall();
        var challenged = await room.Switch.SetChallengeAsync(new RoomChallenge(ChallengeMode.ProofOfWork, 6), Now);
        Assert.True(room.Publish(poll, before));
        Assert.True(room.Publish(change, challenged));
        Assert.Equal(new RoomChallenge(ChallengeMode.ProofOfWork, 6), room.Snapshot.ChallengeOf(options));

        poll = room.BeginStateCall();
        before = await room.Switch.ReadAsync(Now);
        change = room.BeginStateCall();
        var (_, capped) = await room.Switch.SetMaxActiveAsync(7, Now);
        Assert.True(room.Publish(poll, before));
        Assert.True(room.Publish(change, capped));
        Assert.Equal(7, room.Snapshot.MaxActiveOf(options));
    }

    private static RoomSnapshot State(long version, RoomMode mode) =>
        new(version, mode, QueueSwitch.Start(new RoomOptions(), mode, Now), 0, 0, 0, null, null, 0, 0);
}
