using System.Globalization;
using Npgsql;

namespace YarpWaitingRoom.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster: <c>initdb</c> into a temporary directory, started with <c>pg_ctl</c> on a free
/// loopback port, tuned for tests (no fsync). As root it runs as the <c>postgres</c> user, since PostgreSQL refuses root.
/// Each test class asks for its own database with <see cref="CreateDatabaseAsync"/>. Outage tests stop it and start it again
/// on the same port (<see cref="StopAsync"/>, <see cref="StartAgainAsync"/>); they use a cluster of their own for that.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);
    private readonly string _root;
    private readonly string _dataDirectory;

    private PostgresServer(int port, string root)
    {
        Port = port;
        _root = root;
        _dataDirectory = Path.Combine(root, "data");
    }

    public int Port { get; }

    public bool IsRunning { get; private set; }

    public bool IsPaused { get; private set; }

    private string ServerOptions => string.Join(
        ' ',
        "-p", Port.ToString(CultureInfo.InvariantCulture),
        "-k", _root,
        "-c", "listen_addresses=127.0.0.1",
        "-c", "max_connections=300",
        "-c", "fsync=off",
        "-c", "synchronous_commit=off",
        "-c", "full_page_writes=off",
        "-c", "shared_buffers=64MB");

    public static async Task<PostgresServer> StartAsync(CancellationToken cancellationToken = default)
    {
        // Not CreateTempSubdirectory: its 0700 mode would keep the postgres user out.
        var root = Path.Combine(Path.GetTempPath(), "ywr-pg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var server = new PostgresServer(FreePort.Next(), root);
        try
        {
            await server.InitializeAsync(cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Connection string of the maintenance database <c>postgres</c>.</summary>
    public string AdminConnectionString => ConnectionStringFor("postgres");

    public string ConnectionStringFor(string database) =>
        $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Database={database};Pooling=true;Maximum Pool Size=100;Timeout=30";

    /// <summary>Creates an empty database with a unique name starting with <paramref name="prefix"/>; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var name = (prefix + "_" + Guid.NewGuid().ToString("N")[..12]).ToLowerInvariant();
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return ConnectionStringFor(name);
    }

    /// <summary>
    /// Stops the server as <c>docker stop</c> does (fast shutdown: open sessions are ended with <c>57P01</c>, then the port
    /// closes). Clients keep their pooled connections, which are dead when the server comes back.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (!IsRunning)
        {
            return;
        }

        (await RunAsync(Path.Combine(ToolPaths.PostgresBin, "pg_ctl"), ["-D", _dataDirectory, "-m", "fast", "-w", "stop"], cancellationToken)
            .ConfigureAwait(false)).EnsureSuccess("pg_ctl stop");
        IsRunning = false;

        // Only the harness's own pool: the pools of the code under test must find their dead connections themselves.
        await using var admin = new NpgsqlConnection(AdminConnectionString);
        NpgsqlConnection.ClearPool(admin);
    }

    /// <summary>
    /// Freezes the server and its sessions (<c>SIGSTOP</c>), as a hung host or a network partition would look: connections
    /// are still accepted by the kernel, but nothing answers. <see cref="ResumeAsync"/> thaws it.
    /// </summary>
    public async Task PauseAsync(CancellationToken cancellationToken = default)
    {
        await SignalAsync("-STOP", cancellationToken).ConfigureAwait(false);
        IsPaused = true;
    }

    public async Task ResumeAsync(CancellationToken cancellationToken = default)
    {
        if (IsPaused)
        {
            await SignalAsync("-CONT", cancellationToken).ConfigureAwait(false);
            IsPaused = false;
        }
    }

    /// <summary>Starts the stopped server again on the same port and data directory.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        if (!IsRunning)
        {
            await StartServerAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (File.Exists(Path.Combine(_dataDirectory, "postmaster.pid")))
            {
                await ResumeAsync().ConfigureAwait(false);
                NpgsqlConnection.ClearAllPools();
                await RunAsync(Path.Combine(ToolPaths.PostgresBin, "pg_ctl"), ["-D", _dataDirectory, "-m", "immediate", "-w", "stop"], CancellationToken.None)
                    .ConfigureAwait(false);
            }
        }
        finally
        {
            ProcessReaper.Untrack(this);
            TryDelete();
        }
    }

    /// <summary>Sends <paramref name="signal"/> to the postmaster and every process it forked (the sessions, the workers).</summary>
    private async Task SignalAsync(string signal, CancellationToken cancellationToken)
    {
        var postmaster = File.ReadLines(Path.Combine(_dataDirectory, "postmaster.pid")).First();
        var children = await File.ReadAllTextAsync($"/proc/{postmaster}/task/{postmaster}/children", cancellationToken).ConfigureAwait(false);
        string[] processes = [postmaster, .. children.Split(' ', StringSplitOptions.RemoveEmptyEntries)];
        (await ExternalProcess.RunAsync("kill", [signal, .. processes], CommandTimeout, cancellationToken: cancellationToken).ConfigureAwait(false))
            .EnsureSuccess($"kill {signal}");
    }

    internal void Kill()
    {
        ProcessReaper.KillPidFile(Path.Combine(_dataDirectory, "postmaster.pid"));
        TryDelete();
    }

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (ToolPaths.IsRoot)
        {
            (await ExternalProcess.RunAsync("chown", ["postgres:postgres", _root], CommandTimeout, cancellationToken: cancellationToken).ConfigureAwait(false))
                .EnsureSuccess("chown of the PostgreSQL test directory");
        }

        (await RunAsync(
            Path.Combine(ToolPaths.PostgresBin, "initdb"),
            ["-D", _dataDirectory, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync", "--no-instructions"],
            cancellationToken).ConfigureAwait(false)).EnsureSuccess("initdb");

        ProcessReaper.Track(this);
        await StartServerAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        (await RunAsync(
            Path.Combine(ToolPaths.PostgresBin, "pg_ctl"),
            ["-D", _dataDirectory, "-l", Path.Combine(_root, "postgres.log"), "-o", ServerOptions, "-w", "-t", "60", "start"],
            cancellationToken).ConfigureAwait(false)).EnsureSuccess("pg_ctl start");
        IsRunning = true;
    }

    private static Task<ExternalProcess.Result> RunAsync(string tool, IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        ToolPaths.IsRoot
            ? ExternalProcess.RunAsync("runuser", ["-u", "postgres", "--", tool, .. arguments], CommandTimeout, cancellationToken: cancellationToken)
            : ExternalProcess.RunAsync(tool, arguments, CommandTimeout, cancellationToken: cancellationToken);

    private void TryDelete()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
