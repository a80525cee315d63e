using Microsoft.Extensions.DependencyInjection;
using RedLockNet;
using StackExchange.Redis;
using YarpWaitingRoom.Testing;
using YarpWaitingRoom.Yarp.Switching;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Switching;

/// <summary>
/// How often a proxy asks Redis for a lock another proxy holds, counted from Redis's own command log (every command is
/// logged with its arguments, so the count is exact, whatever the machine's speed).
/// </summary>
public sealed class SwitchLeaseTests(RedisFixture redis) : ProxyTestBase(redis)
{
    [Fact]
    public async Task SwitchLease_HeldByAnotherProxy_IsAskedForOnce_WhileAdmissionsLockIsAskedForAgain()
    {
        await using var server = await RedisServer.StartAsync(cancellationToken: Cancellation);
        // A Redis of its own: the command log it reads is the whole server's.
        await using var app = new ProxyApp(server.ConnectionString, Backend.Address, RoomName());
        await using var admin = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString + ",allowAdmin=true");
        var endpoint = admin.GetServer(admin.GetEndPoints()[0]);
        await endpoint.ExecuteAsync("CONFIG", "SET", "slowlog-log-slower-than", "0");
        await endpoint.ExecuteAsync("CONFIG", "SET", "slowlog-max-len", "100000");

        var leases = app.Services.GetRequiredKeyedService<IDistributedLockFactory>(SwitchEvaluator.LeaseLocks);
        var admissionLocks = app.Services.GetRequiredService<IDistributedLockFactory>();

        // Another proxy's lease: the one a proxy's switch loop finds held every second for a room it does not evaluate.
        Assert.Equal(1, await AttemptsOnAHeldLockAsync(endpoint, leases, "test:lease:switch"));
        // Admission's lock is asked for again within the second, so capacity freed during another proxy's batch is admitted after it.
        Assert.Equal(3, await AttemptsOnAHeldLockAsync(endpoint, admissionLocks, "test:lease:admit"));
    }

    /// <summary>How many times <paramref name="locks"/> tries to take <paramref name="resource"/> while someone else holds it.</summary>
    private static async Task<int> AttemptsOnAHeldLockAsync(IServer endpoint, IDistributedLockFactory locks, string resource)
    {
        await using var holder = await locks.CreateLockAsync(resource, TimeSpan.FromSeconds(30));
        Assert.True(holder.IsAcquired);
        await endpoint.ExecuteAsync("SLOWLOG", "RESET");

        await using (var other = await locks.CreateLockAsync(resource, TimeSpan.FromSeconds(3)))
        {
            Assert.False(other.IsAcquired);
        }

        var entries = (RedisResult[])(await endpoint.ExecuteAsync("SLOWLOG", "GET", "100000"))!;
        return entries
            .Select(entry => ((RedisResult[])((RedisResult[])entry!)[3]!).Select(argument => (string?)argument).ToArray())
            .Count(arguments => arguments.Length > 1
                && string.Equals(arguments[0], "SET", StringComparison.OrdinalIgnoreCase)
                && arguments[1]!.EndsWith(resource, StringComparison.Ordinal));
    }
}
