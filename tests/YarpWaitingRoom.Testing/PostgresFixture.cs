namespace YarpWaitingRoom.Testing;

/// <summary>One PostgreSQL cluster per test assembly; each test class creates its own database in it.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("The fixture is not initialised.");

    public async ValueTask InitializeAsync() => _server = await PostgresServer.StartAsync().ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
