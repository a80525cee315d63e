using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Switch;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Tests.Queue;

/// <summary>
/// An operator's <c>MaxActive</c> set at runtime (the state's <c>maxActive</c>), in a real Redis: admission and a direct
/// admission at the join obey it over the configured value, never below zero, until it is cleared or the room reset.
/// An operator's <c>Paused</c> (the state's <c>mode</c>) is obeyed by admission itself too, whatever its caller believes.
/// </summary>
public sealed class RuntimeMaxActiveTests(RedisFixture redis) : IAsyncLifetime
{
    private const int Configured = 10;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 20, 0, 0, TimeSpan.Zero));
    private ConnectionMultiplexer _connection = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _connection = await redis.ConnectAsync();

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    private (QueueStore Queue, SwitchStore Switch) CreateSut(RoomOptions? options = null)
    {
        var queue = new QueueStore(_connection, UniqueName.For("cap"), options ?? new RoomOptions { MaxActive = Configured }, _time);
        return (queue, new SwitchStore(_connection, queue.Keys, queue.Options));
    }

    private static async Task JoinAsync(QueueStore queue, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await queue.JoinAsync($"v{i:D3}", queueOff: false);
        }
    }

    private static async Task<AdmitResult> AdmitAsync(QueueStore queue) => await queue.AdmitAsync(await queue.NextFenceAsync());

    [Fact]
    public async Task Admit_AdmitsUpToTheOperatorsMaxActive_NotTheConfiguredOne_AndARaiseAdmitsTheDifference()
    {
        var (queue, store) = CreateSut();
        await JoinAsync(queue, 20);

        await store.SetMaxActiveAsync(3, _time.GetUtcNow());
        var lowered = await AdmitAsync(queue);
        var again = await AdmitAsync(queue);
        await store.SetMaxActiveAsync(5, _time.GetUtcNow());
        var raised = await AdmitAsync(queue);

        Assert.Equal((3, 3L), (lowered.Admitted, lowered.Active));
        Assert.Equal(0, again.Admitted);
        Assert.Equal((2, 5L), (raised.Admitted, raised.Active));
    }

    [Fact]
    public async Task Admit_InARoomAnOperatorPaused_AdmitsNoOne_EvenForACallerWhoseSnapshotIsBehind_AndResumesWhenUnpaused()
    {
        var (queue, store) = CreateSut();
        await JoinAsync(queue, 5);

        // A proxy that has not yet seen the change still calls admission: the script reads the mode itself.
        await store.SetModeAsync(RoomMode.Paused, _time.GetUtcNow());
        var paused = await AdmitAsync(queue);
        await store.SetModeAsync(RoomMode.Auto, _time.GetUtcNow());
        var resumed = await AdmitAsync(queue);

        Assert.Equal((0, false, 5L, 0L), (paused.Admitted, paused.Fenced, paused.Waiting, paused.Active));
        Assert.Equal((5, 0L, 5L), (resumed.Admitted, resumed.Waiting, resumed.Active));
    }

    [Fact]
    public async Task Admit_UnderAnOperatorsMaxActiveBelowTheActive_AdmitsNoOne_AndDropsNoOne()
    {
        var (queue, store) = CreateSut();
        await JoinAsync(queue, 20);
        await queue.AdmitAsync(await queue.NextFenceAsync(), limit: 6);

        await store.SetMaxActiveAsync(2, _time.GetUtcNow());
        var below = await AdmitAsync(queue);
        await store.SetMaxActiveAsync(0, _time.GetUtcNow());
        var zero = await AdmitAsync(queue);

        Assert.Equal((0, 6L, 14L), (below.Admitted, below.Active, below.Waiting));
        Assert.Equal((0, 6L, 14L), (zero.Admitted, zero.Active, zero.Waiting));
    }

    [Fact]
    public async Task Clearing_TheOperatorsMaxActive_RestoresTheConfiguredOne_AndReportsTheValueBefore()
    {
        var (queue, store) = CreateSut();
        await JoinAsync(queue, 20);

        var (none, _) = await store.SetMaxActiveAsync(2, _time.GetUtcNow());
        var capped = await AdmitAsync(queue);
        var (before, cleared) = await store.SetMaxActiveAsync(null, _time.GetUtcNow());
        var restored = await AdmitAsync(queue);

        Assert.Null(none);
        Assert.Equal(2, before);
        Assert.Equal(2, capped.Admitted);
        Assert.Equal((8, (long)Configured), (restored.Admitted, restored.Active));
        Assert.Null(cleared.MaxActiveOverride);
        Assert.Equal(Configured, cleared.MaxActiveOf(queue.Options));
        Assert.False(await _connection.GetDatabase().HashExistsAsync(queue.Keys.State, RoomStateFields.MaxActive));
    }

    [Fact]
    public async Task Join_QueueOff_DirectAdmissionObeysTheOperatorsMaxActive()
    {
        var (queue, store) = CreateSut();
        var (closed, closedStore) = CreateSut();

        await store.SetMaxActiveAsync(1, _time.GetUtcNow());
        var first = await queue.JoinAsync("first", queueOff: true);
        var second = await queue.JoinAsync("second", queueOff: true);
        await closedStore.SetMaxActiveAsync(0, _time.GetUtcNow());
        var nobody = await closed.JoinAsync("nobody", queueOff: true);

        Assert.Equal(TicketState.Active, first.State);
        Assert.Equal((TicketState.Waiting, 1L), (second.State, second.Position));
        Assert.Equal((TicketState.Waiting, 1L), (nobody.State, nobody.Position));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("2.5")]
    [InlineData("1e1")]
    [InlineData(" 3")]
    [InlineData("0x3")]
    [InlineData("three")]
    [InlineData("")]
    [InlineData("10000001")]
    [InlineData("99999999999999999999")]
    public async Task AMalformedMaxActive_IsIgnored_ByAdmissionAndTheSnapshotAlike(string written)
    {
        var (queue, store) = CreateSut();
        await JoinAsync(queue, 20);
        await _connection.GetDatabase().HashSetAsync(queue.Keys.State, RoomStateFields.MaxActive, written);

        var admitted = await AdmitAsync(queue);
        var snapshot = await store.ReadAsync(_time.GetUtcNow());

        Assert.Equal(Configured, admitted.Admitted);
        Assert.Null(snapshot.MaxActiveOverride);
        Assert.Equal(Configured, snapshot.MaxActiveOf(queue.Options));
    }

    [Fact]
    public async Task TheBound_IsTheSameForAdmissionAndTheSnapshot_AndTheStoreRefusesOutsideIt()
    {
        var (queue, store) = CreateSut(new RoomOptions { MaxActive = 1 });
        await JoinAsync(queue, 3);

        var (_, atLimit) = await store.SetMaxActiveAsync(RoomOptions.MaxActiveLimit, _time.GetUtcNow());
        var admitted = await AdmitAsync(queue);

        Assert.Equal(RoomOptions.MaxActiveLimit, atLimit.MaxActiveOf(queue.Options));
        Assert.Equal(3, admitted.Admitted);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.SetMaxActiveAsync(-1, _time.GetUtcNow()));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.SetMaxActiveAsync(RoomOptions.MaxActiveLimit + 1, _time.GetUtcNow()));
    }

    [Fact]
    public async Task Snapshot_AdmissionCapAndEta_FollowTheOperatorsMaxActive_UnderTheInventorysBound()
    {
        var (queue, store) = CreateSut();
        await JoinAsync(queue, 20);
        await AdmitAsync(queue); // 10 active: an admission recently, so the ETA is known

        var (_, lowered) = await store.SetMaxActiveAsync(4, _time.GetUtcNow());
        var (_, raised) = await store.SetMaxActiveAsync(12, _time.GetUtcNow());
        var withSeats = raised with { Inventory = new InventoryView(5, _time.GetUtcNow()) }; // ceil(2 x 5) = 10

        Assert.Equal((4, 4L), (lowered.MaxActiveOf(queue.Options), lowered.AdmissionCap(queue.Options)));
        Assert.Equal(12L, raised.AdmissionCap(queue.Options));
        Assert.Equal(10L, withSeats.AdmissionCap(queue.Options));
        // Raised to 12 with 10 active: the second in line goes at the next tick; lowered below the active, nobody does.
        var untilTick = queue.Options.AdmitInterval.TotalSeconds;
        Assert.Equal(untilTick, raised.EtaSeconds(2, _time.GetUtcNow(), queue.Options));
        Assert.True(lowered.EtaSeconds(2, _time.GetUtcNow(), queue.Options) > untilTick);
    }

    [Fact]
    public async Task Reset_ClearsTheOperatorsMaxActive()
    {
        var (queue, store) = CreateSut();
        await store.SetMaxActiveAsync(3, _time.GetUtcNow());

        await queue.ResetAsync(Cancellation);
        var after = await store.ReadAsync(_time.GetUtcNow());

        Assert.Null(after.MaxActiveOverride);
        Assert.Equal(Configured, after.MaxActiveOf(queue.Options));
        Assert.False(await _connection.GetDatabase().HashExistsAsync(queue.Keys.State, RoomStateFields.MaxActive));
    }
}
