using YarpWaitingRoom.Testing;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests;

/// <summary>The proxy on a real port, a backend behind it: what raw-socket tests send it.</summary>
public sealed class LoopbackProxy(RedisFixture redis) : IAsyncLifetime
{
    private BackendStub _backend = null!;

    public ProxyApp App { get; private set; } = null!;

    public Uri Address { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _backend = await BackendStub.StartAsync();
        App = new ProxyApp(redis.ConnectionString, _backend.Address, RoomName());
        Address = App.StartOnLoopback();
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await _backend.DisposeAsync();
    }
}
