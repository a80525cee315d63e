using Microsoft.Extensions.DependencyInjection;
using YarpWaitingRoom.Hub.Push;
using YarpWaitingRoom.Hub.Sessions;
using StackExchange.Redis;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.SocketHub.Tests;

/// <summary>
/// What the hub tests share: the assembly's redis-server, a connection to it for seeding and checking room state, a
/// fresh room name per test (tests isolate by room), and polling with a deadline.
/// </summary>
public abstract class HubTestBase(RedisFixture fixture) : IAsyncLifetime
{
    private ConnectionMultiplexer? _redis;

    protected RedisFixture Fixture { get; } = fixture;

    /// <summary>A connection to the tests' Redis (not the hubs' own).</summary>
    protected ConnectionMultiplexer Redis => _redis ?? throw new InvalidOperationException("Not initialised.");

    protected static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _redis = await Fixture.ConnectAsync();

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    /// <summary>The hub's own context of its room.</summary>
    private protected static RoomContext RoomOf(HubApp hub) =>
        hub.Services.GetRequiredService<RoomDirectory>().TryGet(hub.Room, out var room) ? room : throw new InvalidOperationException("no room");

    /// <summary>The hub's push loop, to run a tick now.</summary>
    private protected static PositionPusher PusherOf(HubApp hub) => hub.Services.GetRequiredService<PositionPusher>();

    protected static string RoomName() => "r" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>Polls <paramref name="condition"/> every 50 ms until it holds (true) or <paramref name="timeout"/> passed (false).</summary>
    protected static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(50, Cancellation);
        }

        return true;
    }
}
