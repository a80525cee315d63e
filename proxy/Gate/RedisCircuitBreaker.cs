using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace YarpWaitingRoom.Proxy.Gate;

/// <summary>
/// Lets the gate decide fast when Redis is down: a disconnected multiplexer fails at once, a slow call fails after
/// <see cref="GateOptions.RedisTimeout"/>, and after <see cref="GateOptions.BreakerFailures"/> failures in a row the breaker
/// opens for <see cref="GateOptions.BreakerOpenFor"/> (no call at all), then lets one call through to probe.
/// </summary>
public sealed class RedisCircuitBreaker(IConnectionMultiplexer redis, IOptions<GateOptions> options, TimeProvider timeProvider)
{
    private readonly GateOptions _options = options.Value;
    private int _consecutiveFailures;
    private long _openUntilTicks;

    public bool IsOpen => timeProvider.GetUtcNow().UtcTicks < Volatile.Read(ref _openUntilTicks);

    /// <summary>False while open (the caller applies its failure policy without waiting).</summary>
    public bool AllowsCall => !IsOpen;

    public async Task<T> RunAsync<T>(Func<Task<T>> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (!redis.IsConnected)
        {
            Failed();
            throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "Redis is not connected.");
        }

        try
        {
            var result = await call().WaitAsync(_options.RedisTimeout, timeProvider);
            Volatile.Write(ref _consecutiveFailures, 0);
            return result;
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            Failed();
            throw;
        }
    }

    public static bool IsRedisFailure(Exception exception) =>
        exception is RedisException or TimeoutException;

    private void Failed()
    {
        if (Interlocked.Increment(ref _consecutiveFailures) >= _options.BreakerFailures)
        {
            Volatile.Write(ref _openUntilTicks, (timeProvider.GetUtcNow() + _options.BreakerOpenFor).UtcTicks);
            Volatile.Write(ref _consecutiveFailures, 0);
        }
    }
}
