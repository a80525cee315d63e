using StackExchange.Redis;

namespace YarpWaitingRoom.Redis;

/// <summary>
/// The one policy every Redis call of the stores runs through (<see cref="Queue.QueueStore"/>,
/// <see cref="Switch.SwitchStore"/>, <see cref="Limits.RateLimitStore"/>, <see cref="Traffic.TrafficStore"/>), so no path
/// can skip it. It decides fast when Redis is gone, without mistaking a busy Redis for a dead one:
/// <list type="bullet">
/// <item>A disconnected multiplexer fails at once; so does the breaker while open (no call at all).</item>
/// <item>A call that takes longer than <see cref="RedisCallOptions.Timeout"/> while others still succeed is <em>busy</em>
/// (<see cref="RedisBusyException"/>): a spike that makes Redis or this process slow must not open the breaker, so the
/// caller sheds that one request and the breaker does not count it.</item>
/// <item>Timeouts once nothing has succeeded for <see cref="RedisCallOptions.StallAfter"/> (a Redis that hangs), and
/// every other Redis error, are failures: after <see cref="RedisCallOptions.BreakerFailures"/> in a row the breaker opens
/// for <see cref="RedisCallOptions.BreakerOpenFor"/>, then lets calls through to probe.</item>
/// </list>
/// Every failure it throws satisfies <see cref="IsRedisFailure"/>. Thread-safe; hold one per process (one view of Redis
/// for the request path and the background loops alike). <see cref="PassThrough"/> runs calls as they are (stores built
/// without a policy: benchmarks, tests).
/// </summary>
internal sealed class RedisCallPolicy
{
    private readonly IConnectionMultiplexer? _redis;
    private readonly RedisCallOptions _options;
    private readonly TimeProvider _timeProvider;
    private int _consecutiveFailures;
    private long _openUntilTicks;
    private long _lastSuccessTicks;

    public RedisCallPolicy(IConnectionMultiplexer redis, RedisCallOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.Timeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BreakerFailures);
        _redis = redis;
        _options = options;
        _timeProvider = timeProvider;
        // A Redis that hangs from the start is treated as busy for StallAfter, like one that stops answering later.
        _lastSuccessTicks = timeProvider.GetUtcNow().UtcTicks;
    }

    private RedisCallPolicy()
    {
        _options = new RedisCallOptions();
        _timeProvider = TimeProvider.System;
    }

    /// <summary>Runs every call as it is: no timeout, no breaker.</summary>
    public static RedisCallPolicy PassThrough { get; } = new();

    /// <summary>While true, calls fail at once without reaching Redis.</summary>
    private bool IsOpen => _redis is not null && _timeProvider.GetUtcNow().UtcTicks < Volatile.Read(ref _openUntilTicks);

    /// <summary>False while open: a caller with a fallback (a failure policy, a local decision) applies it without an exception.</summary>
    public bool AllowsCall => !IsOpen;

    /// <summary>Runs one Redis call (or one pipelined batch) under the policy.</summary>
    /// <param name="call">The call.</param>
    /// <param name="timeout">
    /// For a call whose work is bounded but may legitimately take longer than a request's call (an admission batch, a reap
    /// of thousands): its own limit instead of <see cref="RedisCallOptions.Timeout"/>, when longer.
    /// </param>
    /// <exception cref="RedisBusyException">The call outlasted the timeout while Redis answers other calls.</exception>
    /// <exception cref="RedisConnectionException">Redis is not connected, or the breaker is open.</exception>
    public Task<T> RunAsync<T>(Func<Task<T>> call, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(call);
        return _redis is null ? call() : GuardedAsync(_redis, call, timeout is { } t && t > _options.Timeout ? t : _options.Timeout);
    }

    /// <inheritdoc cref="RunAsync{T}(Func{Task{T}}, TimeSpan?)"/>
    public Task RunAsync(Func<Task> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        return _redis is null ? call() : GuardedAsync(_redis, async () =>
        {
            await call();
            return true;
        }, _options.Timeout);
    }

    /// <summary>Any failure of a Redis call: busy, stalled, disconnected, breaker open or an error reply.</summary>
    public static bool IsRedisFailure(Exception exception) => exception is RedisException or TimeoutException;

    private async Task<T> GuardedAsync<T>(IConnectionMultiplexer redis, Func<Task<T>> call, TimeSpan timeout)
    {
        if (IsOpen)
        {
            throw new RedisConnectionException(
                ConnectionFailureType.UnableToConnect, "Redis calls are refused for a moment: the circuit breaker opened after repeated failures.");
        }

        if (!redis.IsConnected)
        {
            Failed();
            throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "Redis is not connected.");
        }

        try
        {
            var result = await call().WaitAsync(timeout, _timeProvider);
            Volatile.Write(ref _consecutiveFailures, 0);
            Volatile.Write(ref _lastSuccessTicks, _timeProvider.GetUtcNow().UtcTicks);
            return result;
        }
        catch (TimeoutException ex) when (IsBusyRatherThanStalled())
        {
            throw new RedisBusyException(timeout, ex);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            Failed();
            throw;
        }
    }

    /// <summary>A timeout while calls still succeed lately (StackExchange.Redis's own timeouts are TimeoutExceptions too).</summary>
    private bool IsBusyRatherThanStalled() =>
        _timeProvider.GetUtcNow().UtcTicks - Volatile.Read(ref _lastSuccessTicks) < _options.StallAfter.Ticks;

    private void Failed()
    {
        if (Interlocked.Increment(ref _consecutiveFailures) >= _options.BreakerFailures)
        {
            Volatile.Write(ref _openUntilTicks, (_timeProvider.GetUtcNow() + _options.BreakerOpenFor).UtcTicks);
            Volatile.Write(ref _consecutiveFailures, 0);
        }
    }
}
