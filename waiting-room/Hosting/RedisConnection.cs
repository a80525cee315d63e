using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace YarpWaitingRoom.Hosting;

/// <summary>The one Redis connection of a service, and its readiness check.</summary>
internal static class RedisConnection
{
    /// <summary>
    /// Registers one shared <see cref="IConnectionMultiplexer"/> from <c>ConnectionStrings:Redis</c> (default
    /// <c>127.0.0.1:6380</c>), created lazily and never failing start-up: it connects and reconnects in the background.
    /// An application (a gateway embedding the waiting room) that registered its own multiplexer keeps it.
    /// </summary>
    public static IServiceCollection AddRedisConnection(this IServiceCollection services, Func<IServiceProvider, string> clientName)
    {
        ArgumentNullException.ThrowIfNull(clientName);
        services.TryAddSingleton<IConnectionMultiplexer>(provider =>
        {
            var configuration = ConfigurationOptions.Parse(
                provider.GetRequiredService<IConfiguration>().GetConnectionString("Redis") ?? "127.0.0.1:6380");
            configuration.AbortOnConnectFail = false;
            configuration.ClientName = clientName(provider);
            return ConnectionMultiplexer.Connect(configuration);
        });
        return services;
    }

    /// <summary>
    /// Subscribes <paramref name="handler"/> to <paramref name="channel"/>, retrying every <paramref name="retryEvery"/> while
    /// Redis is unreachable (<paramref name="onFailure"/> hears each failure). Once subscribed, the multiplexer
    /// re-subscribes by itself after a reconnect, so this returns.
    /// </summary>
    public static async Task SubscribeWithRetryAsync(
        this ISubscriber subscriber,
        RedisChannel channel,
        Action<RedisChannel, RedisValue> handler,
        Action<Exception> onFailure,
        TimeSpan retryEvery,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        ArgumentNullException.ThrowIfNull(onFailure);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await subscriber.SubscribeAsync(channel, handler).WaitOrAbandonAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                onFailure(ex);
                await Task.Delay(retryEvery, timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The oldest Redis the waiting room runs on: its notify channels are sharded Pub/Sub (SPUBLISH, SSUBSCRIBE).</summary>
    public static readonly Version ShardedPubSubVersion = new(7, 0);

    /// <summary>
    /// Adds the <c>redis</c> readiness check; <paramref name="failureStatus"/> says what a silent Redis (or one older than
    /// <paramref name="minimumVersion"/>) means here.
    /// </summary>
    public static IHealthChecksBuilder AddRedisCheck(
        this IHealthChecksBuilder builder, HealthStatus failureStatus, string? consequence = null, Version? minimumVersion = null, string name = "redis") =>
        builder.Add(new HealthCheckRegistration(
            name,
            provider => new RedisHealthCheck(provider.GetRequiredService<IConnectionMultiplexer>(), consequence, minimumVersion),
            failureStatus,
            [HealthTags.Ready]));
}

/// <summary>Ready when Redis answers a PING within two seconds (and, if asked, is at least a given version).</summary>
internal sealed class RedisHealthCheck(IConnectionMultiplexer redis, string? consequence, Version? minimumVersion = null) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            var latency = await redis.GetDatabase().PingAsync().WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
            if (minimumVersion is not null
                && redis.GetServers().Where(s => s.IsConnected).Select(s => s.Version).Where(v => v < minimumVersion).Min() is { } old)
            {
                return new HealthCheckResult(
                    context.Registration.FailureStatus,
                    $"Redis {old} is too old: {minimumVersion}+ is needed (the notify channels are sharded Pub/Sub).");
            }

            return HealthCheckResult.Healthy($"Redis answers in {latency.TotalMilliseconds:F1} ms.");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "Redis does not answer" + (consequence is null ? "." : ": " + consequence), ex);
        }
    }
}
