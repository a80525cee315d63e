using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Switch;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Tests.Queue;

/// <summary>What operators and the ETA read: per-minute counts, the wait histogram and the admission rate, kept by the scripts.</summary>
public sealed class RoomStatsTests(RedisFixture redis) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
    private ConnectionMultiplexer _connection = null!;

    public async ValueTask InitializeAsync() => _connection = await redis.ConnectAsync();

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    private (QueueStore Queue, SwitchStore Switch) CreateSut(RoomOptions? options = null)
    {
        options ??= new RoomOptions { MaxActive = 1000 };
        var queue = new QueueStore(_connection, UniqueName.For("room"), options, _time);
        return (queue, new SwitchStore(_connection, queue.Keys, options));
    }

    [Fact]
    public async Task Admit_RecordsTimeInQueue_InTheReplyAndTheMinuteStats()
    {
        var (queue, _) = CreateSut();
        await queue.JoinAsync("early", queueOff: false);
        _time.Advance(TimeSpan.FromSeconds(40));
        await queue.JoinAsync("late", queueOff: false);
        _time.Advance(TimeSpan.FromSeconds(3));

        var result = await queue.AdmitAsync(await queue.NextFenceAsync());

        Assert.Equal(2, result.Admitted);
        Assert.Equal(WaitBuckets.Bounds.Length + 1, result.Waits.Count);
        var byBound = WaitBuckets.Bounds.Select((b, i) => (b, result.Waits[i])).ToDictionary(x => x.b, x => x.Item2);
        Assert.Equal(new WaitBucket(1, TimeSpan.FromSeconds(3)), byBound[TimeSpan.FromSeconds(5)]);
        Assert.Equal(new WaitBucket(1, TimeSpan.FromSeconds(43)), byBound[TimeSpan.FromSeconds(45)]);
        Assert.Equal(2, result.Waits.Sum(w => w.Count));

        var stats = await queue.GetStatsAsync(TimeSpan.FromMinutes(10));
        Assert.Equal(2, stats.AdmittedPerMinute);
        Assert.InRange(stats.MedianWaitSeconds!.Value, 2, 5);
    }

    [Fact]
    public async Task Admit_TimeInQueue_CountsFromTheStartOfTheSecondOfTheJoin_AndDropsTheJoinMarksBelowTheBatch()
    {
        var (queue, _) = CreateSut();
        async Task JoinAtAsync(string visitor, double second)
        {
            _time.SetUtcNow(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero).AddSeconds(second));
            await queue.JoinAsync(visitor, queueOff: false);
        }

        await JoinAtAsync("a", 0.25);
        await JoinAtAsync("b", 0.9);
        await JoinAtAsync("c", 1.1);
        await JoinAtAsync("d", 7.5);
        await JoinAtAsync("e", 7.6);
        Assert.Equal(3, await _connection.GetDatabase().SortedSetLengthAsync(queue.Keys.Joined));
        _time.SetUtcNow(new DateTimeOffset(2026, 11, 24, 12, 0, 10, TimeSpan.Zero));

        var first = await queue.AdmitAsync(await queue.NextFenceAsync(), limit: 3);

        // a and b joined in second 0, c in second 1: 10, 10 and 9 s.
        Assert.Equal(new WaitBucket(3, TimeSpan.FromSeconds(29)), first.Waits[Array.IndexOf(WaitBuckets.Bounds, TimeSpan.FromSeconds(10))]);
        Assert.Equal(3, first.Waits.Sum(w => w.Count));
        Assert.Equal(2, await _connection.GetDatabase().SortedSetLengthAsync(queue.Keys.Joined));

        _time.Advance(TimeSpan.FromSeconds(10));
        var second = await queue.AdmitAsync(await queue.NextFenceAsync());

        // d and e joined in second 7: 13 s each.
        Assert.Equal(new WaitBucket(2, TimeSpan.FromSeconds(26)), second.Waits[Array.IndexOf(WaitBuckets.Bounds, TimeSpan.FromSeconds(15))]);
        Assert.Equal(2, second.Waits.Sum(w => w.Count));
        Assert.Equal(1, await _connection.GetDatabase().SortedSetLengthAsync(queue.Keys.Joined));
    }

    [Fact]
    public async Task Stats_CountAbandonedEndedAndExpired_AndSlideOutOverTheNextMinute()
    {
        var (queue, _) = CreateSut(new RoomOptions { MaxActive = 10, SessionDuration = TimeSpan.FromSeconds(5), ClaimWindow = TimeSpan.FromSeconds(5) });
        await queue.JoinAsync("gone", queueOff: false);
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(1, (await queue.ReapAsync()).Reaped);
        var ended = await queue.JoinAsync("buyer", queueOff: true);
        Assert.True(await queue.EndSessionAsync(ended.Ticket, "purchase"));
        await queue.JoinAsync("idle", queueOff: true);
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(1, (await queue.AdmitAsync(await queue.NextFenceAsync())).Expired);

        var now = await queue.GetStatsAsync(TimeSpan.FromMinutes(2));
        Assert.Equal((1d, 1d, 1d), (now.AbandonedPerMinute, now.EndedPerMinute, now.ExpiredPerMinute));
        Assert.Null(now.MedianWaitSeconds);

        // Half a minute into the next minute, half of the last one still counts; two minutes on, nothing does.
        _time.SetUtcNow(new DateTimeOffset(2026, 11, 24, 12, 1, 30, TimeSpan.Zero));
        Assert.Equal(0.5, (await queue.GetStatsAsync(TimeSpan.FromMinutes(2))).AbandonedPerMinute, 3);
        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(0, (await queue.GetStatsAsync(TimeSpan.FromMinutes(2))).AbandonedPerMinute);
    }

    [Fact]
    public async Task AdmitRate_IsUnknownBeforeTheFirstAdmission_ThenGivesAnEta()
    {
        var (queue, store) = CreateSut(new RoomOptions { MaxActive = 10 });
        for (var i = 0; i < 40; i++)
        {
            await queue.JoinAsync($"v{i}", queueOff: false);
        }

        var before = await store.ReadAsync(_time.GetUtcNow());
        Assert.Null(before.LastAdmittedAt);
        Assert.Null(before.EtaSeconds(5, _time.GetUtcNow(), new RoomOptions()));

        await queue.AdmitAsync(await queue.NextFenceAsync());
        _time.Advance(TimeSpan.FromSeconds(10));
        await queue.EndSessionAsync((await _connection.GetDatabase().SortedSetRangeByRankAsync(queue.Keys.Active, 0, 0))[0]!, "purchase");
        await queue.AdmitAsync(await queue.NextFenceAsync());

        var after = await store.ReadAsync(_time.GetUtcNow());
        Assert.Equal(_time.GetUtcNow(), after.LastAdmittedAt);
        // First batch: 10 over one interval (1/s); then 1 in 10 s, averaged over a one-minute time constant.
        Assert.Equal(1 + (0.1 - 1) * (1 - Math.Exp(-10 / 60d)), after.AdmitRate, 6);
        var options = new RoomOptions { MaxActive = 10 };
        var eta = after.EtaSeconds(29, _time.GetUtcNow(), options);
        Assert.NotNull(eta);
        // Nobody's slot is free (10 of 10 active): 29 places at the measured rate, plus the next tick (10 s away).
        Assert.Equal(Math.Ceiling(29 / after.AdmitRate + 10), eta);
        Assert.Equal(10, (after with { Active = 5 }).EtaSeconds(5, _time.GetUtcNow(), options));

        // Stale: nobody admitted for longer than the freshness window.
        Assert.Null(after.EtaSeconds(29, _time.GetUtcNow().AddMinutes(3), options));

        // The inventory bounds the free capacity as admission does (5 active, 3 seats left: ceil(2 x 3) = 6, one free),
        // and a sold-out room has no estimate at all.
        var fewSeats = after with { Active = 5, Inventory = new InventoryView(3, _time.GetUtcNow()) };
        Assert.Equal(10, fewSeats.EtaSeconds(1, _time.GetUtcNow(), options));
        Assert.Equal(Math.Ceiling(1 / after.AdmitRate + 10), fewSeats.EtaSeconds(2, _time.GetUtcNow(), options));
        Assert.Equal(6, fewSeats.AdmissionCap(options));
        Assert.Null((after with { Inventory = new InventoryView(0, _time.GetUtcNow()) }).EtaSeconds(1, _time.GetUtcNow(), options));
    }

    [Fact]
    public async Task WriteState_RefusesAStaleVersion_SoAnOperatorsModeChangeIsNeverOverwritten()
    {
        var options = new RoomOptions();
        var (_, store) = CreateSut(options);
        var read = await store.ReadAsync(_time.GetUtcNow());
        Assert.Equal(0, read.Version);

        // The evaluator read version 0; meanwhile an operator pauses the room.
        var paused = await store.SetModeAsync(RoomMode.Paused, _time.GetUtcNow());
        Assert.True(paused.Switch.QueueOn);
        var evaluated = SwitchState.Initial(_time.GetUtcNow()) with { Reason = "calm" };
        Assert.False(await store.TryWriteAsync(read.Version, RoomMode.Auto, evaluated, 0, 0, SwitchStore.Announce.Transition, _time.GetUtcNow()));

        var now = await store.ReadAsync(_time.GetUtcNow());
        Assert.Equal((RoomMode.Paused, true, SwitchReasons.ModePaused), (now.Mode, now.Switch.QueueOn, now.Switch.Reason));
    }

    [Fact]
    public async Task SetMode_Transition_AppendsASwitchedEventAndPublishesTheNewVersion()
    {
        var (queue, store) = CreateSut();
        var messages = new List<string>();
        var channel = await _connection.GetSubscriber().SubscribeAsync(queue.Keys.Notify);
        channel.OnMessage(m => { lock (messages) { messages.Add(m.Message!); } });

        await store.SetModeAsync(RoomMode.On, _time.GetUtcNow());
        await store.SetModeAsync(RoomMode.Paused, _time.GetUtcNow());
        await store.SetModeAsync(RoomMode.Auto, _time.GetUtcNow());

        var events = await _connection.GetDatabase().StreamRangeAsync(queue.Keys.Events);
        var switched = Assert.Single(events, e => e["type"] == "switched");
        Assert.Equal(("mode-on", "1"), ((string?)switched["reason"], (string?)switched["queueOn"]));
        Assert.True(await SpinUntilAsync(() => { lock (messages) { return messages.Count == 3; } }));
        Assert.Equal(["state|1", "state|2", "state|3"], messages);
        var auto = await store.ReadAsync(_time.GetUtcNow());
        Assert.Equal((RoomMode.Auto, true, SwitchReasons.ModeAuto), (auto.Mode, auto.Switch.QueueOn, auto.Switch.Reason));
        await channel.UnsubscribeAsync();
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
