namespace YarpWaitingRoom.Testing;

/// <summary>
/// A PostgreSQL cluster of one test class alone, for outage tests that stop it and start it again
/// (<c>IClassFixture&lt;OutagePostgresFixture&gt;</c>; the tests of one class run one after another). The shared
/// <see cref="PostgresFixture"/> serves tests running in parallel and is never stopped.
/// </summary>
public sealed class OutagePostgresFixture : IAsyncLifetime
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
