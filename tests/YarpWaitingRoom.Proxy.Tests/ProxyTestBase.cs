using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Proxy.Tests;

/// <summary>
/// A test class that hosts the proxy in front of a backend stub of its own, on the assembly's Redis: each test gets a fresh
/// stub and builds its proxy with <see cref="App"/> (a room of its own unless it names one).
/// </summary>
public abstract class ProxyTestBase(RedisFixture redis) : IAsyncLifetime
{
    protected BackendStub Backend { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Backend = await BackendStub.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await Backend.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    protected ProxyApp App(string mode = "Auto", Dictionary<string, string?>? settings = null, string? room = null, TimeProvider? timeProvider = null)
    {
        var roomSettings = new Dictionary<string, string?>(settings ?? [], StringComparer.Ordinal) { ["Mode"] = mode };
        return new ProxyApp(redis.ConnectionString, Backend.Address, room ?? ProxyTestContext.RoomName(), roomSettings, timeProvider);
    }
}
