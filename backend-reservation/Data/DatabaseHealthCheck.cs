using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace YarpWaitingRoom.Reservation.Data;

/// <summary>
/// Ready when the schema is in place and PostgreSQL answers <c>SELECT 1</c> within <see cref="DatabaseOptions.ReadinessTimeout"/>.
/// A query, not just an open: opening a pooled connection sends nothing, so it "succeeds" with PostgreSQL down. The bound
/// is kept whatever Npgsql does: against a hanging server its own timeouts and cancellation take tens of seconds, so the
/// check stops waiting for the query rather than for Npgsql. One query at a time: while one hangs, later checks wait for it
/// (never longer than the bound) instead of piling up more. A singleton, for that one query.
/// </summary>
internal sealed class DatabaseHealthCheck(
    DatabaseReadiness readiness,
    IServiceScopeFactory scopeFactory,
    IOptions<DatabaseOptions> options,
    TimeProvider timeProvider) : IHealthCheck
{
    private readonly Lock _gate = new();
    private Task<HealthCheckResult>? _query;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!readiness.IsInitialized)
        {
            return HealthCheckResult.Unhealthy("The database is not migrated and seeded yet.");
        }

        var timeout = options.Value.ReadinessTimeout;
        Task<HealthCheckResult> query;
        lock (_gate)
        {
            if (_query is null || _query.IsCompleted)
            {
                _query = QueryAsync(timeout);
            }

            query = _query;
        }

        try
        {
            return await query.WaitAsync(timeout, timeProvider, cancellationToken);
        }
        catch (TimeoutException) when (!query.IsCompleted)
        {
            return NoAnswerWithin(timeout);
        }
    }

    /// <summary>Runs <c>SELECT 1</c>; never throws, so a query nobody waits for any more ends quietly.</summary>
    private async Task<HealthCheckResult> QueryAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout, timeProvider);
        try
        {
            await using var scope = scopeFactory.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ReservationDbContext>();
            await db.Database.ExecuteSqlAsync($"SELECT 1", deadline.Token);
            return HealthCheckResult.Healthy("PostgreSQL answers.");
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return NoAnswerWithin(timeout);
        }
        catch (Exception ex) when (DatabaseFailure.IsUnavailable(ex))
        {
            return HealthCheckResult.Unhealthy("PostgreSQL is out of reach.", ex);
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL answered SELECT 1 with an error.", ex);
        }
    }

    private static HealthCheckResult NoAnswerWithin(TimeSpan timeout) => HealthCheckResult.Unhealthy(
        string.Create(CultureInfo.InvariantCulture, $"PostgreSQL did not answer within {timeout.TotalSeconds:0.###} s."));
}
