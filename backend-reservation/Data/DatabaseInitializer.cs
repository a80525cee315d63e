using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using YarpWaitingRoom.Reservation.Diagnostics;

namespace YarpWaitingRoom.Reservation.Data;

/// <summary>
/// Migrates and seeds before the server starts listening (<see cref="IHostedLifecycleService.StartingAsync"/>).
/// Instances starting together take turns through a PostgreSQL advisory lock, so exactly one migrates and seeds.
/// </summary>
internal sealed partial class DatabaseInitializer(
    IServiceScopeFactory scopeFactory,
    DatabaseReadiness readiness,
    IOptions<DatabaseOptions> options,
    TimeProvider timeProvider,
    ILogger<DatabaseInitializer> logger) : IHostedLifecycleService
{
    private const long MigrationLockKey = 0x5752_4D49_4752; // "WRMIGR"
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.StartupTimeout);
        while (true)
        {
            try
            {
                await InitializeAsync(timeout.Token);
                readiness.MarkInitialized();
                return;
            }
            catch (Exception ex) when ((ex is DbException || DatabaseFailure.IsUnavailable(ex)) && !timeout.IsCancellationRequested)
            {
                Log.DatabaseNotReachable(logger, ex);
                await Task.Delay(RetryDelay, timeProvider, timeout.Token);
            }
        }
    }

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ReservationDbContext>();

        // One unit for the execution strategy: a lost connection repeats it from the lock, never a step without the lock.
        await db.Database.CreateExecutionStrategy().ExecuteAsync(db, MigrateAndSeedAsync, cancellationToken);
    }

    private async Task MigrateAndSeedAsync(ReservationDbContext db, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({MigrationLockKey})", cancellationToken);
            Log.Migrating(logger);
            await db.Database.MigrateAsync(cancellationToken);
            Log.Migrated(logger);
            if (options.Value.SeedDemoData && await DemoSeed.EnsureAsync(db, options.Value.DemoSeats, timeProvider, cancellationToken))
            {
                Log.Seeded(logger, options.Value.DemoSeats);
            }
        }
        finally
        {
            // Closing the connection would release the lock too; unlocking first keeps pooled connections clean. When the
            // connection is what failed (a timeout while waiting for the other instance's migration, a restart), the
            // unlock fails as well: that must not replace the failure being handled, which start-up retries.
            try
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({MigrationLockKey})", CancellationToken.None);
            }
            catch (Exception ex) when (ex is DbException or InvalidOperationException)
            {
                Log.UnlockFailed(logger, ex);
            }

            await db.Database.CloseConnectionAsync();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventIds.DatabaseMigrating, LogLevel.Information, "Applying database migrations")]
        public static partial void Migrating(ILogger logger);

        [LoggerMessage(EventIds.DatabaseMigrated, LogLevel.Information, "Database schema is current")]
        public static partial void Migrated(ILogger logger);

        [LoggerMessage(EventIds.DatabaseSeeded, LogLevel.Information, "Seeded the demo concert with {Seats} seats")]
        public static partial void Seeded(ILogger logger, int seats);

        [LoggerMessage(EventIds.DatabaseMigrationUnlockFailed, LogLevel.Warning, "Releasing the migration lock failed; closing the connection releases it")]
        public static partial void UnlockFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventIds.DatabaseNotReachable, LogLevel.Warning, "PostgreSQL not reachable yet; retrying")]
        public static partial void DatabaseNotReachable(ILogger logger, Exception exception);
    }
}
