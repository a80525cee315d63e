using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using YarpWaitingRoom.Limits;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Switch;
using YarpWaitingRoom.Testing;
using YarpWaitingRoom.Traffic;

namespace YarpWaitingRoom.Tests.Redis;

/// <summary>
/// The policy on a real, connected multiplexer; the calls are the test's own tasks (one that answers, one that never
/// does) and time is a <see cref="FakeTimeProvider"/>, so "took longer than the timeout" is exact.
/// </summary>
public sealed class RedisCallPolicyTests(RedisFixture redis) : IAsyncLifetime
{
    private static readonly RedisCallOptions Options = new()
    {
        Timeout = TimeSpan.FromMilliseconds(500),
        StallAfter = TimeSpan.FromSeconds(2),
        BreakerFailures = 3,
        BreakerOpenFor = TimeSpan.FromSeconds(2),
    };

    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-25T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private ConnectionMultiplexer _redis = null!;

    public async ValueTask InitializeAsync() => _redis = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);

    public async ValueTask DisposeAsync() => await _redis.DisposeAsync();

    private RedisCallPolicy CreateSut() => new(_redis, Options, _time);

    [Fact]
    public async Task TimeoutsWhileOtherCallsSucceed_AreBusy_AndNeverOpenTheBreaker()
    {
        var sut = CreateSut();
        for (var round = 0; round < 5; round++)
        {
            // A spike: Redis answers some calls, while twice the breaker's failure count give up at the same moment.
            Assert.Equal(1, await sut.RunAsync(() => Task.FromResult(1)));
            var never = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            var calls = Enumerable.Range(0, Options.BreakerFailures * 2).Select(_ => sut.RunAsync(() => never.Task)).ToList();
            _time.Advance(Options.Timeout);
            foreach (var call in calls)
            {
                var busy = await Assert.ThrowsAsync<RedisBusyException>(() => call);
                Assert.True(RedisCallPolicy.IsRedisFailure(busy));
            }

            Assert.True(sut.AllowsCall, $"the breaker opened in round {round} although Redis had just answered");
            _time.Advance(TimeSpan.FromSeconds(1));
        }
    }

    [Fact]
    public async Task ACallWithItsOwnLongerTimeout_IsNotGivenUpAtTheRequestTimeout_ButAtItsOwn()
    {
        var sut = CreateSut();
        Assert.Equal(1, await sut.RunAsync(() => Task.FromResult(1)));
        var never = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var batch = sut.RunAsync(() => never.Task, timeout: TimeSpan.FromSeconds(1));

        _time.Advance(Options.Timeout);
        await Task.Yield();
        Assert.False(batch.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1) - Options.Timeout);

        await Assert.ThrowsAsync<RedisBusyException>(() => batch);
    }

    [Fact]
    public async Task TimeoutsOnceNothingSucceededForStallAfter_AreFailures_AndOpenTheBreaker()
    {
        var sut = CreateSut();
        Assert.Equal(1, await sut.RunAsync(() => Task.FromResult(1)));
        _time.Advance(Options.StallAfter);

        for (var i = 0; i < Options.BreakerFailures; i++)
        {
            var thrown = await Assert.ThrowsAnyAsync<Exception>(() => TimeOutAsync(sut));
            Assert.IsNotType<RedisBusyException>(thrown);
            Assert.True(RedisCallPolicy.IsRedisFailure(thrown));
        }

        Assert.False(sut.AllowsCall);
        _time.Advance(Options.BreakerOpenFor);
        Assert.True(sut.AllowsCall);
        Assert.Equal(2, await sut.RunAsync(() => Task.FromResult(2)));
    }

    [Fact]
    public async Task ErrorReplies_CountAsFailures_EvenRightAfterASuccess()
    {
        var sut = CreateSut();
        Assert.Equal(1, await sut.RunAsync(() => Task.FromResult(1)));

        for (var i = 0; i < Options.BreakerFailures; i++)
        {
            await Assert.ThrowsAsync<RedisServerException>(
                () => sut.RunAsync<int>(() => Task.FromException<int>(new RedisServerException("OOM command not allowed when used memory > 'maxmemory'."))));
        }

        Assert.False(sut.AllowsCall);
    }

    [Fact]
    public async Task WhileOpen_CallsFailAtOnce_AsRedisFailures_WithoutRunning()
    {
        var sut = CreateSut();
        await OpenAsync(sut);
        var ran = false;

        var thrown = await Assert.ThrowsAsync<RedisConnectionException>(() => sut.RunAsync(() =>
        {
            ran = true;
            return Task.FromResult(1);
        }));

        Assert.False(ran, "an open breaker let the call reach Redis");
        Assert.True(RedisCallPolicy.IsRedisFailure(thrown));
        await Assert.ThrowsAsync<RedisConnectionException>(() => sut.RunAsync(() => Task.CompletedTask));
    }

    [Fact]
    public async Task ErrorsThatAreNotRedisFailures_PassUnchanged_AndNeverOpenTheBreaker()
    {
        var sut = CreateSut();
        for (var i = 0; i < Options.BreakerFailures * 2; i++)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(
                () => sut.RunAsync<int>(() => Task.FromException<int>(new InvalidOperationException("a bug, not Redis"))));
        }

        Assert.True(sut.AllowsCall);
    }

    [Fact]
    public async Task PassThrough_RunsCallsAsTheyAre_AndNeverOpens()
    {
        var sut = RedisCallPolicy.PassThrough;
        for (var i = 0; i < 20; i++)
        {
            await Assert.ThrowsAsync<RedisServerException>(
                () => sut.RunAsync<int>(() => Task.FromException<int>(new RedisServerException("ERR"))));
        }

        Assert.True(sut.AllowsCall);
        var never = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.Same(never.Task, sut.RunAsync(() => never.Task));
    }

    [Fact]
    public async Task EveryStore_RunsItsCallsThroughItsPolicy_SoAnOpenBreakerKeepsThemAllFromRedis()
    {
        var sut = CreateSut();
        await OpenAsync(sut);
        var room = UniqueName.For("room");
        var options = new RoomOptions();
        var queue = new QueueStore(_redis, room, options, _time, sut);
        var switchStore = new SwitchStore(_redis, queue.Keys, options, sut);
        var limits = new RateLimitStore(_redis, _time, sut);
        var traffic = new TrafficStore(_redis, [room], sut);

        await Assert.ThrowsAsync<RedisConnectionException>(() => queue.JoinAsync("v1", queueOff: true));
        await Assert.ThrowsAsync<RedisConnectionException>(() => queue.GetStatusAsync("t1"));
        await Assert.ThrowsAsync<RedisConnectionException>(() => queue.EndSessionAsync("t1", "test"));
        await Assert.ThrowsAsync<RedisConnectionException>(() => switchStore.ReadAsync(_time.GetUtcNow()));
        await Assert.ThrowsAsync<RedisConnectionException>(() => switchStore.SetModeAsync(RoomMode.On, _time.GetUtcNow()));
        await Assert.ThrowsAsync<RedisConnectionException>(() => limits.TryTakeAsync([new RateBucket("test:" + room + ":limit", 1, 1)]));
        await Assert.ThrowsAsync<RedisConnectionException>(
            () => traffic.FlushAsync([new TrafficSampleRow(room, "api", 1, TimeSpan.Zero, new long[RateFields.LatencyBoundsMs.Length + 1])], 1));

        var keys = queue.Keys;
        Assert.Equal(0, await _redis.GetDatabase().KeyExistsAsync([keys.Sequence, keys.Visitors, keys.Joined, keys.Waiting, keys.Active, keys.Seen, keys.ActiveSeen, keys.State, keys.Rate(1)]));
    }

    private static async Task OpenAsync(RedisCallPolicy sut)
    {
        for (var i = 0; i < Options.BreakerFailures; i++)
        {
            await Assert.ThrowsAsync<RedisServerException>(() => sut.RunAsync(() => Task.FromException(new RedisServerException("ERR"))));
        }

        Assert.False(sut.AllowsCall);
    }

    /// <summary>A call that never answers, given up after the timeout of fake time.</summary>
    private async Task TimeOutAsync(RedisCallPolicy sut)
    {
        var never = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var call = sut.RunAsync(() => never.Task);
        _time.Advance(Options.Timeout);
        await call;
    }
}
