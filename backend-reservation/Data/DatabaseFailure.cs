using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace YarpWaitingRoom.Reservation.Data;

/// <summary>
/// Tells PostgreSQL being out of reach (stopped, restarting, refusing connections, timing out) from every other failure,
/// which stays a programming or data error. The exceptions arrive as Npgsql throws them or wrapped by EF Core
/// (<see cref="DbUpdateException"/>, the execution strategy's <see cref="InvalidOperationException"/> and
/// <see cref="RetryLimitExceededException"/>); only those wrappers are looked through.
/// </summary>
internal static class DatabaseFailure
{
    /// <summary>SQLSTATE class 08: connection exception.</summary>
    private const string ConnectionExceptionClass = "08";

    /// <summary>Whether <paramref name="exception"/> says PostgreSQL cannot be reached now; a later attempt may succeed.</summary>
    public static bool IsUnavailable(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case PostgresException postgres:
                    return IsUnavailableState(postgres.SqlState);
                case NpgsqlException npgsql:
                    // I/O, socket and timeout failures of the connection, and a pool that timed out waiting for one.
                    return npgsql.IsTransient;
                case TimeoutException or SocketException:
                    return true;
                case DbUpdateException or RetryLimitExceededException or InvalidOperationException:
                    continue;
                default:
                    return false;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether <paramref name="exception"/> says an open connection was lost (the server ended the session or the socket
    /// broke), as opposed to a new one being refused or a command timing out. A pooled connection left over from before a
    /// server restart fails this way on first use; Npgsql then clears the pool, so one new attempt gets a fresh connection.
    /// </summary>
    public static bool IsConnectionLost(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case PostgresException postgres:
                    return postgres.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown;
                case NpgsqlException npgsql:
                    return npgsql.InnerException is IOException;
                case DbUpdateException or RetryLimitExceededException or InvalidOperationException:
                    continue;
                default:
                    return false;
            }
        }

        return false;
    }

    private static bool IsUnavailableState(string sqlState) =>
        sqlState.StartsWith(ConnectionExceptionClass, StringComparison.Ordinal)
        || sqlState is PostgresErrorCodes.AdminShutdown
            or PostgresErrorCodes.CrashShutdown
            or PostgresErrorCodes.CannotConnectNow
            or PostgresErrorCodes.TooManyConnections;
}
