namespace YarpWaitingRoom.Testing;

/// <summary>A fixture that owns one <see cref="PostgresServer"/>: started before the first test, disposed after the last.</summary>
public abstract class PostgresServerFixture : IAsyncLifetime
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
