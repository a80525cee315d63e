using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace YarpWaitingRoom.Reservation.Diagnostics;

/// <summary>
/// Redis carries only the waiting room's events here: without it holds are not released on abandonment,
/// but seats can still be sold, so it degrades readiness rather than failing it.
/// </summary>
internal sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var latency = await redis.GetDatabase().PingAsync().WaitAsync(cancellationToken);
            return HealthCheckResult.Healthy($"Redis answers in {latency.TotalMilliseconds:F1} ms.");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "Redis does not answer: abandoned visitors' holds are not released until it does.", ex);
        }
    }
}
