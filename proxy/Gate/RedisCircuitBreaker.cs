using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace YarpWaitingRoom.Proxy.Gate;

/// <summary>
/// Lets the gate decide fast when Redis is down, without mistaking a busy Redis for a dead one.
/// <list type="bullet">
/// <item>A disconnected multiplexer fails at once; so does the breaker while open (no call at all).</item>
/// <item>A call that takes longer than <see cref="GateOptions.RedisTimeout"/> while others still succeed is
/// <em>busy</em> (<see cref="RedisBusyException"/>): a spike that makes Redis or this process slow must not open the
/// gate, so the caller sheds that one request and the breaker does not count it.</item>
/// <item>Timeouts once nothing has succeeded for <see cref="GateOptions.StallAfter"/> (a Redis that hangs), and every
/// other Redis error, are failures: after <see cref="GateOptions.BreakerFailures"/> in a row the breaker opens for
/// <see cref="GateOptions.BreakerOpenFor"/>, then lets one call through to probe.</item>
/// </list>
/// </summary>
public sealed class RedisCircuitBreaker
{
    private readonly IConnectionMultiplexer _redis;
    private readonly GateOptions _options;
    private readonly TimeProvider _timeProvider;
    private int _consecutiveFailures;
    private long _openUntilTicks;
    private long _lastSuccessTicks;

    public RedisCircuitBreaker(IConnectionMultiplexer redis, IOptions<GateOptions> options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _redis = redis;
        _options = options.Value;
        _timeProvider = timeProvider;
        // A Redis that hangs from the start is treated as busy for StallAfter, like one that stops answering later.
        _lastSuccessTicks = timeProvider.GetUtcNow().UtcTicks;
    }

    public bool IsOpen => _timeProvider.GetUtcNow().UtcTicks < Volatile.Read(ref _openUntilTicks);

    /// <summary>False while open (the caller applies its failure policy without waiting).</summary>
    public bool AllowsCall => !IsOpen;

    public async Task<T> RunAsync<T>(Func<Task<T>> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (!_redis.IsConnected)
        {
            Failed();
            throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "Redis is not connected.");
        }

        try
        {
            var result = await call().WaitAsync(_options.RedisTimeout, _timeProvider);
            Volatile.Write(ref _consecutiveFailures, 0);
            Volatile.Write(ref _lastSuccessTicks, _timeProvider.GetUtcNow().UtcTicks);
            return result;
        }
        catch (Exception ex) when (ex is TimeoutException && IsBusyRatherThanStalled())
        {
            throw new RedisBusyException(_options.RedisTimeout, ex);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            Failed();
            throw;
        }
    }

    /// <summary>Any failure of a Redis call on the request path: busy, stalled, disconnected or an error reply.</summary>
    public static bool IsRedisFailure(Exception exception) =>
        exception is RedisException or TimeoutException or RedisBusyException;

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

/// <summary>
/// A Redis call on the request path outlasted <see cref="GateOptions.RedisTimeout"/> while Redis is connected and
/// answering other calls: the system is busy, not down. The gate sheds the request (503 + Retry-After) rather than
/// applying the room's failure policy; the visitor's place, if the call did reach Redis, is kept.
/// </summary>
public sealed class RedisBusyException : Exception
{
    public RedisBusyException()
    {
    }

    public RedisBusyException(string message)
        : base(message)
    {
    }

    public RedisBusyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal RedisBusyException(TimeSpan timeout, Exception innerException)
        : base($"Redis did not answer within {timeout.TotalMilliseconds:0} ms while it answers other calls: busy.", innerException)
    {
    }
}
