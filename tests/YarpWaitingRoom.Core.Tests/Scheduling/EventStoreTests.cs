using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Scheduling;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Tests.Scheduling;

/// <summary>A room's scheduled sale in a real Redis: stored with a committed seed, fixed once its pre-queue opens.</summary>
public sealed class EventStoreTests(RedisFixture redis) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 19, 0, 0, TimeSpan.Zero));
    private readonly RedisKeys _keys = new(UniqueName.For("sale"));
    private ConnectionMultiplexer _connection = null!;

    public async ValueTask InitializeAsync() => _connection = await redis.ConnectAsync();

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    private EventStore CreateSut() => new(_connection, _keys, _time);

    private ScheduledEvent Sale(string name = "Concert", int opensInMinutes = 30) =>
        new(name, _time.GetUtcNow().AddMinutes(opensInMinutes), _time.GetUtcNow().AddHours(1), DrawOrder.Lottery);

    [Fact]
    public async Task Schedule_StoresTheEvent_WithASecretSeedAndItsCommitment()
    {
        var sut = CreateSut();

        var (outcome, stored) = await sut.ScheduleAsync(Sale());
        var read = await sut.GetAsync();

        Assert.Equal(ScheduleOutcome.Scheduled, outcome);
        Assert.Equal(stored, read);
        Assert.True(LotteryDraw.Opens(read!.Commitment, read.Seed));
        Assert.False(read.IsDrawn);
    }

    [Fact]
    public async Task Schedule_BeforeThePrequeueOpens_ReplacesTheEventAndItsSeed()
    {
        var sut = CreateSut();
        var (_, first) = await sut.ScheduleAsync(Sale("First"));
        _time.Advance(TimeSpan.FromMinutes(29));

        var (outcome, second) = await sut.ScheduleAsync(Sale("Second"));

        Assert.Equal(ScheduleOutcome.Scheduled, outcome);
        Assert.Equal("Second", (await sut.GetAsync())!.Event.Name);
        Assert.NotEqual(first!.Seed, second!.Seed);
    }

    [Fact]
    public async Task Schedule_AndCancel_OnceThePrequeueOpened_AreRefused_AndChangeNothing()
    {
        var sut = CreateSut();
        var (_, stored) = await sut.ScheduleAsync(Sale());
        _time.Advance(TimeSpan.FromMinutes(30));

        var (replaced, _) = await sut.ScheduleAsync(Sale("Other"));
        var cancelled = await sut.CancelAsync();

        Assert.Equal(ScheduleOutcome.Conflict, replaced);
        Assert.Equal(ScheduleOutcome.Conflict, cancelled);
        Assert.Equal(stored, await sut.GetAsync());
    }

    [Fact]
    public async Task Cancel_BeforeThePrequeueOpens_RemovesTheEvent_ThenFindsNone()
    {
        var sut = CreateSut();
        await sut.ScheduleAsync(Sale());

        var first = await sut.CancelAsync();
        var second = await sut.CancelAsync();

        Assert.Equal(ScheduleOutcome.Cancelled, first);
        Assert.Equal(ScheduleOutcome.NotFound, second);
        Assert.Null(await sut.GetAsync());
    }
}
