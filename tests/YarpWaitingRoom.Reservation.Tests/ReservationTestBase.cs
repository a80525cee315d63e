using System.Globalization;
using Npgsql;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Reservation.Tests;

/// <summary>Gives each test its own database and room; disposes the apps it started.</summary>
public abstract class ReservationTestBase(PostgresFixture postgres, RedisFixture redis) : IAsyncLifetime
{
    private readonly List<ReservationApp> _apps = [];

    protected PostgresFixture Postgres { get; } = postgres;

    protected RedisFixture Redis { get; } = redis;

    protected string DatabaseConnectionString { get; private set; } = string.Empty;

    protected string Room { get; } = "room-" + Guid.NewGuid().ToString("N")[..8];

    protected static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>The cluster that holds this test's database: the shared one, unless a test class brings its own.</summary>
    protected virtual PostgresServer DatabaseServer => Postgres.Server;

    public virtual async ValueTask InitializeAsync() =>
        DatabaseConnectionString = await DatabaseServer.CreateDatabaseAsync("reservation", Cancellation);

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Runs a scalar query against this test's database.</summary>
    protected async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(DatabaseConnectionString);
        await connection.OpenAsync(Cancellation);
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(Cancellation), CultureInfo.InvariantCulture);
    }

    /// <summary>Runs a statement against this test's database.</summary>
    protected async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(DatabaseConnectionString);
        await connection.OpenAsync(Cancellation);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Cancellation);
    }

    /// <summary>Polls until <paramref name="condition"/> holds or <paramref name="timeout"/> passes; returns whether it held.</summary>
    protected static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(50, Cancellation);
        }

        return await condition();
    }

    /// <summary>Creates and starts an instance (background services included).</summary>
    protected ReservationApp StartApp(IReadOnlyDictionary<string, string?>? settings = null, TimeProvider? timeProvider = null, bool kestrel = false)
    {
        var app = CreateApp(settings, timeProvider, kestrel);
        app.StartServer();
        return app;
    }

    /// <summary>Creates an instance that starts on <see cref="Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory{TEntryPoint}.StartServer"/> or first use.</summary>
    protected ReservationApp CreateApp(IReadOnlyDictionary<string, string?>? settings = null, TimeProvider? timeProvider = null, bool kestrel = false)
    {
        var app = new ReservationApp(DatabaseConnectionString, Redis.ConnectionString, Room, settings, timeProvider, kestrel);
        _apps.Add(app);
        return app;
    }
}
