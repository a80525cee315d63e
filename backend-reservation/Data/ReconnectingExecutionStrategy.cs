using Microsoft.EntityFrameworkCore.Storage;

namespace YarpWaitingRoom.Reservation.Data;

/// <summary>
/// Runs an operation again, once and at once, when it failed because its connection was lost
/// (<see cref="DatabaseFailure.IsConnectionLost"/>): after PostgreSQL restarts, every pooled connection is dead and the first
/// use of one fails; Npgsql clears the pool at that failure, so the second attempt gets a fresh connection. Nothing else is
/// retried: while PostgreSQL is down a second attempt fails as fast as the first, and a timeout has already cost its wait.
/// Work that opens a transaction runs through <c>Database.CreateExecutionStrategy()</c>, so the retry repeats it whole.
/// </summary>
internal sealed class ReconnectingExecutionStrategy(ExecutionStrategyDependencies dependencies)
    : ExecutionStrategy(dependencies, Retries, TimeSpan.Zero)
{
    private const int Retries = 1;

    protected override bool ShouldRetryOn(Exception exception) => DatabaseFailure.IsConnectionLost(exception);

    protected override TimeSpan? GetNextDelay(Exception lastException) =>
        ExceptionsEncountered.Count <= MaxRetryCount ? TimeSpan.Zero : null;
}
