using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace YarpWaitingRoom.Reservation.Data;

/// <summary>Ready when the schema is in place and PostgreSQL answers.</summary>
internal sealed class DatabaseHealthCheck(DatabaseReadiness readiness, IServiceScopeFactory scopeFactory) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!readiness.IsInitialized)
        {
            return HealthCheckResult.Unhealthy("The database is not migrated and seeded yet.");
        }

        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ReservationDbContext>();
        return await db.Database.CanConnectAsync(cancellationToken)
            ? HealthCheckResult.Healthy("PostgreSQL answers.")
            : HealthCheckResult.Unhealthy("PostgreSQL does not answer.");
    }
}
