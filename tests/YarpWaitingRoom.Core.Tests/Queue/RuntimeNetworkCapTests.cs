using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Switch;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Tests.Queue;

/// <summary>
/// An operator's <c>MaxPlacesPerNetwork</c> set at runtime (the state's <c>maxPlacesPerNetwork</c>), in a real Redis: the
/// join and the reap's count of networks at the cap obey it over the configured value (0 turns the cap off), until it is
/// cleared or the room reset; the snapshot reads it as the scripts do.
/// </summary>
public sealed class RuntimeNetworkCapTests(RedisFixture redis) : IAsyncLifetime
{
    private const string Home = "203.0.113.0/24";
    private const string Campus = "198.51.100.0/24";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 20, 0, 0, TimeSpan.Zero));
    private ConnectionMultiplexer _connection = null!;

    private IDatabase Db => _connection.GetDatabase();

    private DateTimeOffset Now => _time.GetUtcNow();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _connection = await redis.ConnectAsync();

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    private (QueueStore Queue, SwitchStore Switch) CreateSut(int configured)
    {
        var options = new RoomOptions { MaxPlacesPerNetwork = configured, MaxActive = 10, AbandonAfter = TimeSpan.FromSeconds(30) };
        var queue = new QueueStore(_connection, UniqueName.For("netcap-rt"), options, _time);
        return (queue, new SwitchStore(_connection, queue.Keys, options));
    }

    /// <summary>The join's state; <see cref="TicketState.Gone"/> when the network cap refused it (and only then).</summary>
    private static async Task<TicketState> JoinAsync(QueueStore queue, string visitor, string network)
    {
        var joined = await queue.JoinAsync(visitor, queueOff: false, new JoinConditions(Network: network));
        Assert.True(joined.Refusal is JoinRefusal.None or JoinRefusal.NetworkCap, $"refused for {joined.Refusal}");
        return joined.IsRefused ? TicketState.Gone : joined.State;
    }

    private async Task<long> PlacesAsync(QueueStore queue, string network) =>
        (long)(await Db.SortedSetScoreAsync(queue.Keys.Networks, network) ?? 0);

    [Fact]
    public async Task Join_ObeysTheOperatorsCap_OverTheConfiguredOne_PerNetwork()
    {
        var (queue, store) = CreateSut(configured: 5);
        var (before, written) = await store.SetMaxPlacesPerNetworkAsync(2, Now);

        Assert.Null(before);
        Assert.Equal((2, 2), (written.MaxPlacesPerNetworkOverride, written.MaxPlacesPerNetworkOf(queue.Options)));
        Assert.Equal(TicketState.Waiting, await JoinAsync(queue, "a", Home));
        Assert.Equal(TicketState.Waiting, await JoinAsync(queue, "b", Home));
        Assert.Equal(TicketState.Gone, await JoinAsync(queue, "c", Home));
        Assert.Equal(TicketState.Waiting, await JoinAsync(queue, "d", Campus));
        // A holder is answered with its place, whatever the cap.
        Assert.Equal(TicketState.Waiting, await JoinAsync(queue, "a", Home));
    }

    [Fact]
    public async Task OperatorsZero_TurnsTheCapOff_CountingNothingNew_AndClearingIt_BringsTheConfiguredCapBack()
    {
        var (queue, store) = CreateSut(configured: 1);
        Assert.Equal(TicketState.Waiting, await JoinAsync(queue, "a", Home));

        var (_, off) = await store.SetMaxPlacesPerNetworkAsync(0, Now);
        Assert.Equal(TicketState.Waiting, await JoinAsync(queue, "b", Home));
        Assert.Equal(TicketState.Waiting, await JoinAsync(queue, "c", Home));
        var (before, cleared) = await store.SetMaxPlacesPerNetworkAsync(null, Now);

        Assert.Equal(0, off.MaxPlacesPerNetworkOf(queue.Options));
        Assert.Equal(1, await PlacesAsync(queue, Home));
        Assert.Equal(0, before);
        Assert.Null(cleared.MaxPlacesPerNetworkOverride);
        Assert.Equal(1, cleared.MaxPlacesPerNetworkOf(queue.Options));
        Assert.Equal(TicketState.Gone, await JoinAsync(queue, "d", Home));
    }

    [Fact]
    public async Task TurnedOnAtRuntime_CountsThePlacesTakenFromThenOn()
    {
        var (queue, store) = CreateSut(configured: 0);
        Assert.Equal(TicketState.Waiting, await JoinAsync(queue, "a", Home));
        Assert.Equal(TicketState.Waiting, await JoinAsync(queue, "b", Home));
        Assert.False(await Db.KeyExistsAsync(queue.Keys.Networks));

        await store.SetMaxPlacesPerNetworkAsync(1, Now);

        Assert.Equal(TicketState.Waiting, await JoinAsync(queue, "c", Home));
        Assert.Equal(TicketState.Gone, await JoinAsync(queue, "d", Home));
        Assert.Equal(1, await PlacesAsync(queue, Home));
        Assert.Equal(Home, (string?)await Db.HashGetAsync(queue.Keys.NetworkOf, "c"));
    }

    [Fact]
    public async Task ReapAndTheOperatorsView_CountTheNetworksAtTheCapInForce()
    {
        var (queue, store) = CreateSut(configured: 5);
        await JoinAsync(queue, "a", Home);
        await JoinAsync(queue, "b", Home);
        await JoinAsync(queue, "c", Campus);
        Assert.Equal(0, (await queue.ReapAsync()).NetworksAtCap);

        var (_, lowered) = await store.SetMaxPlacesPerNetworkAsync(2, Now);
        var reaped = await queue.ReapAsync();
        var view = await queue.GetNetworkPlacesAsync(top: 5, lowered.MaxPlacesPerNetworkOf(queue.Options));
        await store.SetMaxPlacesPerNetworkAsync(0, Now);

        Assert.Equal(1, reaped.NetworksAtCap);
        Assert.Equal((2L, 1L), (view.Networks, view.AtCap));
        Assert.Equal(0, (await queue.ReapAsync()).NetworksAtCap);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("one")]
    [InlineData("")]
    [InlineData("1000001")]
    [InlineData("99999999999999999999")]
    public async Task AMalformedCap_IsIgnored_ByTheJoinAndTheSnapshotAlike(string written)
    {
        var (queue, store) = CreateSut(configured: 1);
        await Db.HashSetAsync(queue.Keys.State, RoomStateFields.MaxPlacesPerNetwork, written);

        var first = await JoinAsync(queue, "a", Home);
        var second = await JoinAsync(queue, "b", Home);
        var snapshot = await store.ReadAsync(Now);

        Assert.Equal((TicketState.Waiting, TicketState.Gone), (first, second));
        Assert.Null(snapshot.MaxPlacesPerNetworkOverride);
        Assert.Equal(1, snapshot.MaxPlacesPerNetworkOf(queue.Options));
    }

    [Fact]
    public async Task TheBound_IsTheSameForTheJoinAndTheSnapshot_AndTheStoreRefusesOutsideIt()
    {
        var (queue, store) = CreateSut(configured: 1);

        var (_, atLimit) = await store.SetMaxPlacesPerNetworkAsync(RoomOptions.MaxPlacesPerNetworkLimit, Now);

        Assert.Equal(RoomOptions.MaxPlacesPerNetworkLimit, atLimit.MaxPlacesPerNetworkOf(queue.Options));
        Assert.Equal(TicketState.Waiting, await JoinAsync(queue, "a", Home));
        Assert.Equal(TicketState.Waiting, await JoinAsync(queue, "b", Home));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.SetMaxPlacesPerNetworkAsync(-1, Now));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.SetMaxPlacesPerNetworkAsync(RoomOptions.MaxPlacesPerNetworkLimit + 1, Now));
    }

    [Fact]
    public async Task Setting_BumpsTheStatesVersion()
    {
        var (_, store) = CreateSut(configured: 1);
        var before = await store.ReadAsync(Now);

        var (_, set) = await store.SetMaxPlacesPerNetworkAsync(3, Now);
        var (_, cleared) = await store.SetMaxPlacesPerNetworkAsync(null, Now);

        Assert.True(set.Version > before.Version);
        Assert.True(cleared.Version > set.Version);
    }

    [Fact]
    public async Task Reset_ClearsTheOperatorsCap()
    {
        var (queue, store) = CreateSut(configured: 4);
        await store.SetMaxPlacesPerNetworkAsync(1, Now);

        await queue.ResetAsync(Cancellation);
        var after = await store.ReadAsync(Now);

        Assert.Null(after.MaxPlacesPerNetworkOverride);
        Assert.Equal(4, after.MaxPlacesPerNetworkOf(queue.Options));
        Assert.False(await Db.HashExistsAsync(queue.Keys.State, RoomStateFields.MaxPlacesPerNetwork));
    }
}
