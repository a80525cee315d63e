using System.Globalization;
using StackExchange.Redis;

namespace YarpWaitingRoom.Testing;

/// <summary>
/// A throwaway <c>redis-server</c> on a free loopback port with its own temporary directory.
/// It can be stopped and started again on the same port (outage tests). Disposing stops it and deletes the directory.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);
    private readonly string _directory;
    private readonly bool _appendOnly;
    private readonly bool _clusterEnabled;

    private RedisServer(int port, string directory, bool appendOnly, bool clusterEnabled)
    {
        Port = port;
        _directory = directory;
        _appendOnly = appendOnly;
        _clusterEnabled = clusterEnabled;
    }

    public int Port { get; }

    /// <summary>StackExchange.Redis configuration string for this server.</summary>
    public string ConnectionString => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)},abortConnect=false";

    public bool IsRunning { get; private set; }

    public static Task<RedisServer> StartAsync(bool appendOnly = false, CancellationToken cancellationToken = default) =>
        StartAsync(appendOnly, clusterEnabled: false, cancellationToken);

    /// <summary>A node for <see cref="RedisCluster"/>: cluster mode on, its slots not yet assigned.</summary>
    internal static Task<RedisServer> StartClusterNodeAsync(CancellationToken cancellationToken) =>
        StartAsync(appendOnly: false, clusterEnabled: true, cancellationToken);

    private static async Task<RedisServer> StartAsync(bool appendOnly, bool clusterEnabled, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("ywr-redis-").FullName;
        var server = new RedisServer(FreePort.Next(), directory, appendOnly, clusterEnabled);
        await server.StartAsync(cancellationToken);
        return server;
    }

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var port = Port.ToString(CultureInfo.InvariantCulture);
        await ExternalProcess.RunAsync(
            ToolPaths.RedisServer,
            [
                "--port", port,
                "--bind", "127.0.0.1",
                "--dir", _directory,
                "--daemonize", "yes",
                "--pidfile", Path.Combine(_directory, "redis.pid"),
                "--logfile", Path.Combine(_directory, "redis.log"),
                "--save", string.Empty,
                "--appendonly", _appendOnly ? "yes" : "no",
                .. (_clusterEnabled ? (string[])["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"] : []),
            ],
            CommandTimeout,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        ExternalProcess.Result? ping = null;
        var deadline = DateTime.UtcNow + CommandTimeout;
        while (DateTime.UtcNow < deadline)
        {
            ping = await ExternalProcess.RunAsync(ToolPaths.RedisCli, ["-p", port, "ping"], CommandTimeout, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (ping.Output.Contains("PONG", StringComparison.Ordinal))
            {
                IsRunning = true;
                ProcessReaper.Track(this);
                return;
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }

        throw new InvalidOperationException($"redis-server on port {port} did not answer PING: {ping?.Output}{Environment.NewLine}{ReadLog()}");
    }

    /// <summary>Stops the server at once (no save), as a crash or outage would.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (!IsRunning)
        {
            return;
        }

        await ExternalProcess.RunAsync(
            ToolPaths.RedisCli, ["-p", Port.ToString(CultureInfo.InvariantCulture), "shutdown", "nosave"], CommandTimeout, cancellationToken: cancellationToken).ConfigureAwait(false);
        var deadline = DateTime.UtcNow + CommandTimeout;
        while (FreePort.IsListening(Port) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }

        IsRunning = false;
    }

    /// <summary>
    /// Freezes the server (<c>SIGSTOP</c>), as a hung host would look: connections stay open, nothing answers, for as long
    /// as the caller needs (unlike <c>CLIENT PAUSE</c>, whose end is fixed in advance and cannot be brought forward, so a
    /// slow machine can outlast it). Disposing the result thaws it (<c>SIGCONT</c>).
    /// </summary>
    public async Task<IAsyncDisposable> FreezeAsync(CancellationToken cancellationToken = default)
    {
        await SignalAsync("-STOP", cancellationToken).ConfigureAwait(false);
        return new Thaw(this);
    }

    private async Task SignalAsync(string signal, CancellationToken cancellationToken)
    {
        var pid = File.ReadLines(Path.Combine(_directory, "redis.pid")).First();
        (await ExternalProcess.RunAsync("kill", [signal, pid], CommandTimeout, cancellationToken: cancellationToken).ConfigureAwait(false))
            .EnsureSuccess($"kill {signal}");
    }

    private sealed class Thaw(RedisServer server) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await server.SignalAsync("-CONT", CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>A new multiplexer for this server; the caller disposes it.</summary>
    public Task<ConnectionMultiplexer> ConnectAsync() => ConnectionMultiplexer.ConnectAsync(ConnectionString);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        finally
        {
            ProcessReaper.Untrack(this);
            TryDelete(_directory);
        }
    }

    internal void Kill()
    {
        var pidFile = Path.Combine(_directory, "redis.pid");
        ProcessReaper.KillPidFile(pidFile);
        TryDelete(_directory);
    }

    private string ReadLog()
    {
        var log = Path.Combine(_directory, "redis.log");
        return File.Exists(log) ? File.ReadAllText(log) : string.Empty;
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
