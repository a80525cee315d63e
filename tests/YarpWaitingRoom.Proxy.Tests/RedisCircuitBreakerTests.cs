using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using YarpWaitingRoom.Proxy.Gate;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Proxy.Tests;

/// <summary>
/// The breaker on a real, connected multiplexer; the calls are the test's own tasks (one that answers, one that never
/// does) and time is a <see cref="FakeTimeProvider"/>, so "took longer than RedisTimeout" is exact.
/// </summary>
public sealed class RedisCircuitBreakerTests(RedisFixture redis) : IAsyncLifetime
{
    private static readonly GateOptions Gate = new()
    {
        RedisTimeout = TimeSpan.FromMilliseconds(500),
        StallAfter = TimeSpan.FromSeconds(2),
        BreakerFailures = 3,
        BreakerOpenFor = TimeSpan.FromSeconds(2),
    };

    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-25T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private ConnectionMultiplexer _redis = null!;

    public async ValueTask InitializeAsync() => _redis = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);

    public async ValueTask DisposeAsync() => await _redis.DisposeAsync();

    private RedisCircuitBreaker Breaker() => new(_redis, Microsoft.Extensions.Options.Options.Create(Gate), _time);

    [Fact]
    public async Task TimeoutsWhileOtherCallsSucceed_AreBusy_AndNeverOpenTheBreaker()
    {
        var breaker = Breaker();
        for (var round = 0; round < 5; round++)
        {
            // A spike: Redis answers some calls, while twice the breaker's failure count give up at the same moment.
            Assert.Equal(1, await breaker.RunAsync(() => Task.FromResult(1)));
            var never = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            var calls = Enumerable.Range(0, Gate.BreakerFailures * 2).Select(_ => breaker.RunAsync(() => never.Task)).ToList();
            _time.Advance(Gate.RedisTimeout);
            foreach (var call in calls)
            {
                await Assert.ThrowsAsync<RedisBusyException>(() => call);
            }

            Assert.True(breaker.AllowsCall, $"the breaker opened in round {round} although Redis had just answered");
            _time.Advance(TimeSpan.FromSeconds(1));
        }
    }

    [Fact]
    public async Task TimeoutsOnceNothingSucceededForStallAfter_AreFailures_AndOpenTheBreaker()
    {
        var breaker = Breaker();
        Assert.Equal(1, await breaker.RunAsync(() => Task.FromResult(1)));
        _time.Advance(Gate.StallAfter);

        for (var i = 0; i < Gate.BreakerFailures; i++)
        {
            var thrown = await Assert.ThrowsAnyAsync<Exception>(() => TimeOutAsync(breaker));
            Assert.IsNotType<RedisBusyException>(thrown);
            Assert.True(RedisCircuitBreaker.IsRedisFailure(thrown));
        }

        Assert.False(breaker.AllowsCall);
        _time.Advance(Gate.BreakerOpenFor);
        Assert.True(breaker.AllowsCall);
        Assert.Equal(2, await breaker.RunAsync(() => Task.FromResult(2)));
    }

    [Fact]
    public async Task ErrorReplies_CountAsFailures_EvenRightAfterASuccess()
    {
        var breaker = Breaker();
        Assert.Equal(1, await breaker.RunAsync(() => Task.FromResult(1)));

        for (var i = 0; i < Gate.BreakerFailures; i++)
        {
            await Assert.ThrowsAsync<RedisServerException>(
                () => breaker.RunAsync<int>(() => Task.FromException<int>(new RedisServerException("OOM command not allowed when used memory > 'maxmemory'."))));
        }

        Assert.False(breaker.AllowsCall);
    }

    /// <summary>A call that never answers, given up after RedisTimeout of fake time.</summary>
    private async Task TimeOutAsync(RedisCircuitBreaker breaker)
    {
        var never = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var call = breaker.RunAsync(() => never.Task);
        _time.Advance(Gate.RedisTimeout);
        await call;
    }
}
