using Microsoft.Extensions.Diagnostics.HealthChecks;
using YarpWaitingRoom.Hosting;
using StackExchange.Redis;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Proxy.Tests.Diagnostics;

public sealed class RedisHealthCheckTests(RedisFixture redis) : IAsyncLifetime
{
    private ConnectionMultiplexer _redis = null!;

    public async ValueTask InitializeAsync() => _redis = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);

    public async ValueTask DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task RedisThatAnswers_AndIsNewEnough_IsHealthy()
    {
        var result = await CheckAsync(RedisConnection.ShardedPubSubVersion);

        Assert.Equal(HealthStatus.Healthy, result.Status);
    }

    [Fact]
    public async Task RedisOlderThanNeeded_FailsTheCheck_NamingBothVersions()
    {
        var result = await CheckAsync(new Version(99, 0));

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Matches(@"^Redis \d+\.\d+(\.\d+)? is too old: 99\.0\+ is needed", result.Description);
    }

    private Task<HealthCheckResult> CheckAsync(Version minimum) =>
        new RedisHealthCheck(_redis, consequence: null, minimum).CheckHealthAsync(
            new HealthCheckContext
            {
                Registration = new HealthCheckRegistration("redis", _ => null!, HealthStatus.Unhealthy, tags: null),
            },
            TestContext.Current.CancellationToken);
}
