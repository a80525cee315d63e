namespace YarpWaitingRoom.Testing;

/// <summary>One redis-server per test assembly (<c>[assembly: AssemblyFixture(typeof(RedisFixture))]</c>). Tests isolate by room name.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private RedisServer? _server;

    public RedisServer Server => _server ?? throw new InvalidOperationException("The fixture is not initialised.");

    public string ConnectionString => Server.ConnectionString;

    public async ValueTask InitializeAsync() => _server = await RedisServer.StartAsync().ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
