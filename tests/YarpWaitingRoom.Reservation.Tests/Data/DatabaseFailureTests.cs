using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using YarpWaitingRoom.Reservation.Data;

namespace YarpWaitingRoom.Reservation.Tests.Data;

public sealed class DatabaseFailureTests
{
    // The first ones as a really stopped, restarted or frozen PostgreSQL made Npgsql and EF Core throw them (DatabaseOutageTests).
    private static readonly Dictionary<string, Func<Exception>> Failures = new(StringComparer.Ordinal)
    {
        ["connection refused"] = () => Refused(),
        ["session ended by fast shutdown"] = () => Postgres(PostgresErrorCodes.AdminShutdown),
        ["connect timed out"] = () => new NpgsqlException("Failed to connect to 127.0.0.1:5432", new TimeoutException("Timeout during connection attempt")),
        ["command timed out"] = () => new NpgsqlException("The operation has timed out", new TimeoutException()),
        ["refused, wrapped by the execution strategy"] = () => new InvalidOperationException("An exception has been raised that is likely due to a transient failure.", Refused()),
        ["shutdown, wrapped by the execution strategy"] = () => new InvalidOperationException("An exception has been raised that is likely due to a transient failure.", Postgres(PostgresErrorCodes.AdminShutdown)),
        ["refused after a retry"] = () => new RetryLimitExceededException("Maximum number of retries (1) exceeded.", Refused()),
        ["shutdown while saving"] = () => new DbUpdateException("An error occurred while saving the entity changes.", Postgres(PostgresErrorCodes.AdminShutdown)),
        ["crash shutdown"] = () => Postgres(PostgresErrorCodes.CrashShutdown),
        ["starting up"] = () => Postgres(PostgresErrorCodes.CannotConnectNow),
        ["too many connections"] = () => Postgres(PostgresErrorCodes.TooManyConnections),
        ["connection failure (class 08)"] = () => Postgres(PostgresErrorCodes.ConnectionFailure),
        ["stream ended mid-query"] = () => new NpgsqlException("Exception while reading from stream", new EndOfStreamException()),
        ["broken pipe"] = () => new NpgsqlException("Exception while writing to stream", new IOException("Broken pipe", new SocketException((int)SocketError.Shutdown))),
        ["unique violation"] = () => Postgres(PostgresErrorCodes.UniqueViolation),
        ["undefined table"] = () => Postgres(PostgresErrorCodes.UndefinedTable),
        ["serialization failure"] = () => Postgres(PostgresErrorCodes.SerializationFailure),
        ["foreign key violation while saving"] = () => new DbUpdateException("An error occurred while saving the entity changes.", Postgres(PostgresErrorCodes.ForeignKeyViolation)),
        ["LINQ on an empty sequence"] = () => new InvalidOperationException("Sequence contains no elements."),
        ["format error"] = () => new FormatException("Input string was not in a correct format."),
        ["timeout inside an unrelated exception"] = () => new ArgumentException("bad argument", new TimeoutException()),
    };

    [Theory]
    [InlineData("connection refused", true, false)]
    [InlineData("session ended by fast shutdown", true, true)]
    [InlineData("connect timed out", true, false)]
    [InlineData("command timed out", true, false)]
    [InlineData("refused, wrapped by the execution strategy", true, false)]
    [InlineData("shutdown, wrapped by the execution strategy", true, true)]
    [InlineData("refused after a retry", true, false)]
    [InlineData("shutdown while saving", true, true)]
    [InlineData("crash shutdown", true, true)]
    [InlineData("starting up", true, false)]
    [InlineData("too many connections", true, false)]
    [InlineData("connection failure (class 08)", true, false)]
    [InlineData("stream ended mid-query", true, true)]
    [InlineData("broken pipe", true, true)]
    [InlineData("unique violation", false, false)]
    [InlineData("undefined table", false, false)]
    [InlineData("serialization failure", false, false)]
    [InlineData("foreign key violation while saving", false, false)]
    [InlineData("LINQ on an empty sequence", false, false)]
    [InlineData("format error", false, false)]
    [InlineData("timeout inside an unrelated exception", false, false)]
    public void Classify_Failure_TellsOutageAndLostConnectionFromEverythingElse(string failure, bool unavailable, bool connectionLost)
    {
        var sut = Failures[failure]();

        Assert.Equal(unavailable, DatabaseFailure.IsUnavailable(sut));
        Assert.Equal(connectionLost, DatabaseFailure.IsConnectionLost(sut));
    }

    private static NpgsqlException Refused() =>
        new("Failed to connect to 127.0.0.1:5432", new SocketException((int)SocketError.ConnectionRefused));

    private static PostgresException Postgres(string sqlState) => new("message", "FATAL", "FATAL", sqlState);
}
