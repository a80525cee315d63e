using Microsoft.EntityFrameworkCore.Storage;

namespace YarpWaitingRoom.Reservation.Data;

/// <summary>
/// Runs an operation again when it failed because its connection was lost (<see cref="DatabaseFailure.IsConnectionLost"/>):
/// after PostgreSQL restarts, every pooled connection is dead and the first use of one fails. Npgsql then clears the pool,
/// so the first retry, at once, normally gets a fresh connection. But a request that loses its connection while another's
/// clear is still draining the pool gets no clear of its own (Npgsql skips a clear while one runs) and may draw another
/// dead connection: the next retries wait a moment for that clear to finish. Nothing else is retried: while PostgreSQL is
/// down a second attempt fails as fast as the first, and a timeout has already cost its wait. Work that opens a
/// transaction runs through <c>Database.CreateExecutionStrategy()</c>, so a retry repeats it whole.
/// </summary>
internal sealed class ReconnectingExecutionStrategy(ExecutionStrategyDependencies dependencies)
    : ExecutionStrategy(dependencies, Retries, ClearWait)
{
    private const int Retries = 3;

    private static readonly TimeSpan ClearWait = TimeSpan.FromMilliseconds(20);

    protected override bool ShouldRetryOn(Exception exception) => DatabaseFailure.IsConnectionLost(exception);

    protected override TimeSpan? GetNextDelay(Exception lastException) => ExceptionsEncountered.Count switch
    {
        1 => TimeSpan.Zero,
        var failures when failures <= MaxRetryCount => ClearWait,
        _ => null,
    };
}
