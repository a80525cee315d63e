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

    private static RoomSnapshot State(long version, RoomMode mode) =>
        new(version, mode, QueueSwitch.Start(new RoomOptions(), mode, Now), 0, 0, 0, null, null, 0, 0);
}
