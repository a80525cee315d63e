using System.Globalization;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.SystemTests;

/// <summary>
/// <c>./stack</c> run on free ports with its own state directory, so it never touches a developer's running stack.
/// </summary>
public sealed class StackRun : IAsyncDisposable
{
    private static readonly TimeSpan UpTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan DownTimeout = TimeSpan.FromMinutes(1);

    private readonly IReadOnlyDictionary<string, string?> _settings;

    private StackRun(
        string repositoryRoot, string stateDirectory, IReadOnlyDictionary<string, int> ports, IReadOnlyList<(int Port, int Bus)> redisCluster, IReadOnlyDictionary<string, string?> settings)
    {
        RepositoryRoot = repositoryRoot;
        StateDirectory = stateDirectory;
        Ports = ports;
        RedisClusterNodes = redisCluster;
        _settings = settings;
    }

    public string RepositoryRoot { get; }

    public string StateDirectory { get; }

    /// <summary>Port of each <c>STACK_*_PORT</c> variable.</summary>
    public IReadOnlyDictionary<string, int> Ports { get; }

    /// <summary>The Redis Cluster's masters (client port, cluster bus port) when the stack runs on one; empty otherwise.</summary>
    public IReadOnlyList<(int Port, int Bus)> RedisClusterNodes { get; }

    /// <summary>The stack's Redis as the services reach it (StackExchange.Redis syntax): the one server or every cluster node.</summary>
    public string RedisConnectionString =>
        RedisClusterNodes.Count == 0
            ? "127.0.0.1:" + Ports["STACK_REDIS_PORT"].ToString(CultureInfo.InvariantCulture)
            : string.Join(',', RedisClusterNodes.Select(node => "127.0.0.1:" + node.Port.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Admin key handed to the stack through the environment (checks that <c>WaitingRoom__*</c> passes through).</summary>
    public const string AdminKey = "system-test-admin-key-0123456789";

    public Uri Edge => new($"http://127.0.0.1:{Ports["STACK_EDGE_PORT"].ToString(CultureInfo.InvariantCulture)}");

    public Uri InternalLoadBalancer => new($"http://127.0.0.1:{Ports["STACK_INTERNAL_LB_PORT"].ToString(CultureInfo.InvariantCulture)}");

    /// <summary>
    /// The proxies' environment for <see cref="RedisBudget"/>'s functional budget, for stacks whose tests are about journeys
    /// (the journey, sell-out and cluster stacks), not about a slow Redis; Redis's stalls are still reported
    /// (<see cref="DiagnosisAsync"/>).
    /// </summary>
    public static IReadOnlyDictionary<string, string?> FunctionalRedisBudget { get; } = new Dictionary<string, string?>(StringComparer.Ordinal)
    {
        ["WaitingRoom__Gate__RedisTimeout"] = RedisBudget.FunctionalTimeout,
        ["WaitingRoom__Gate__StallAfter"] = RedisBudget.FunctionalStallAfter,
    };

    /// <param name="settings">Extra environment for every service (<c>Section__Key</c> = value), passed through by <c>./stack</c>.</param>
    /// <param name="redisClusterMasters">0: one redis-server; 3 or more: a Redis Cluster of that many masters (<c>STACK_REDIS_CLUSTER</c>).</param>
    public static StackRun Create(IReadOnlyDictionary<string, string?>? settings = null, int redisClusterMasters = 0)
    {
        var root = FindRepositoryRoot();
        // Under /tmp with mode 0755 so the postgres user can reach its data directory.
        var state = Path.Combine(Path.GetTempPath(), "ywr-stack-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(state);
        File.SetUnixFileMode(state, (UnixFileMode)0b111_101_101);
        var ports = new[] { "STACK_REDIS_PORT", "STACK_PG_PORT", "STACK_BACKEND_A_PORT", "STACK_BACKEND_B_PORT", "STACK_INTERNAL_LB_PORT", "STACK_PROXY_A_PORT", "STACK_PROXY_B_PORT", "STACK_EDGE_PORT", "STACK_HUB_A_PORT", "STACK_HUB_B_PORT", "STACK_PROMETHEUS_PORT" }
            .ToDictionary(name => name, _ => FreePort.Next(), StringComparer.Ordinal);
        // Each node's cluster bus port is reserved too (Redis's default, port + 10000, could be any other test's port).
        var cluster = Enumerable.Range(0, redisClusterMasters).Select(_ => (Port: FreePort.Next(), Bus: FreePort.Next())).ToArray();
        return new StackRun(root, state, ports, cluster, settings ?? new Dictionary<string, string?>());
    }

    public Task<ExternalProcess.Result> UpAsync(CancellationToken cancellationToken) => RunAsync("up", UpTimeout, cancellationToken);

    public Task<ExternalProcess.Result> DownAsync(CancellationToken cancellationToken) => RunAsync("down", DownTimeout, cancellationToken);

    public Task<ExternalProcess.Result> ResetAsync(CancellationToken cancellationToken) => RunAsync("reset", DownTimeout, cancellationToken);

    /// <summary>Pids in the stack's pid files right now.</summary>
    public IReadOnlyList<int> RecordedPids()
    {
        var run = Path.Combine(StateDirectory, "run");
        return Directory.Exists(run)
            ? Directory.GetFiles(run, "*.pid")
                .Select(file => File.ReadLines(file).FirstOrDefault())
                .Select(line => int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
                .Where(pid => pid > 0)
                .ToArray()
            : [];
    }

    /// <summary>
    /// The warnings and errors a service of the stack logged so far (<c>proxy-a</c>, <c>hub-b</c>, …: its log under the state
    /// directory), each entry with its message lines, the last <paramref name="entries"/> of them: what a failed system
    /// test puts beside its own output, so a failure on a machine nobody can look at afterwards explains itself.
    /// </summary>
    private string Warnings(string service, int entries = 30)
    {
        const int LinesPerWarning = 6;
        var log = Path.Combine(StateDirectory, "logs", service + ".log");
        if (!File.Exists(log))
        {
            return $"{service}: no log at {log}";
        }

        // The console logger's entries: "warn: Category[id]" (or fail:/crit:), then the message on indented lines.
        var found = new List<List<string>>();
        List<string>? current = null;
        foreach (var line in ReadShared(log))
        {
            if (line.StartsWith("warn: ", StringComparison.Ordinal) || line.StartsWith("fail: ", StringComparison.Ordinal) || line.StartsWith("crit: ", StringComparison.Ordinal))
            {
                current = [line];
                found.Add(current);
            }
            else if (current is not null && line.StartsWith(' '))
            {
                current.Add(line);
            }
            else
            {
                current = null;
            }
        }

        var last = found.TakeLast(entries).SelectMany(entry => entry.Take(LinesPerWarning).Select(line => "  " + line));
        return $"{service}: {found.Count} warnings or errors logged{(found.Count > entries ? $", the last {entries}" : string.Empty)}{Environment.NewLine}{string.Join(Environment.NewLine, last)}";
    }

    /// <summary>Redis's INFO fields that tell a stall's cause: an fsync the writes waited for, a fork, a blocked client.</summary>
    private static readonly string[] RedisStallFields =
        ["aof_delayed_fsync", "aof_rewrites", "aof_last_write_status", "latest_fork_usec", "total_forks", "blocked_clients", "connected_clients", "used_memory_human", "uptime_in_seconds"];

    /// <summary>
    /// What the stack logged, which a failed system test puts beside its own output: every proxy's and hub's warnings
    /// (<see cref="Warnings"/>), Redis's own warnings, its latency monitor's stalls, its fsync and fork counters and its
    /// slowest commands, so a failure on a machine nobody can look at afterwards says whether the stack misbehaved or
    /// Redis stalled under it.
    /// </summary>
    public async Task<string> DiagnosisAsync()
    {
        var parts = new List<string> { string.Empty, "--- what the stack logged ---" };
        parts.AddRange(new[] { "proxy-a", "proxy-b", "hub-a", "hub-b" }.Select(service => Warnings(service)));
        var logs = Path.Combine(StateDirectory, "logs");
        foreach (var log in (Directory.Exists(logs) ? Directory.GetFiles(logs, "redis*.log") : []).Order(StringComparer.Ordinal))
        {
            // Redis marks its warnings '#' (notices '*'): "<pid>:M 01 Dec 2026 14:03:20.930 # Asynchronous AOF fsync is taking too long".
            var warnings = ReadShared(log).Where(line => line.Contains(" # ", StringComparison.Ordinal)).ToList();
            parts.Add($"{Path.GetFileName(log)}: {warnings.Count} warnings{Environment.NewLine}{string.Join(Environment.NewLine, warnings.TakeLast(20).Select(line => "  " + line))}");
        }

        // Redis's latency monitor (./stack starts it at 100 ms): each kind of stall's latest and longest, e.g. an AOF write
        // waiting on a slow disk ("aof-write-pending-fsync") or a slow command.
        var nodes = RedisClusterNodes.Count > 0 ? RedisClusterNodes.Select(node => node.Port).ToArray() : [Ports["STACK_REDIS_PORT"]];
        foreach (var port in nodes)
        {
            parts.Add($"redis :{port} latency latest (event, at, latest ms, longest ms): {(await RedisCliAsync(port, "latency", "latest")).ReplaceLineEndings(" ")}");
            // Writes held back behind a slow fsync, forks, and the slowest commands (a long script blocks every caller).
            var fields = (await RedisCliAsync(port, "info", "everything")).Split('\n', StringSplitOptions.TrimEntries)
                .Where(line => RedisStallFields.Any(field => line.StartsWith(field + ":", StringComparison.Ordinal)));
            parts.Add($"redis :{port} {string.Join(' ', fields)}");
            parts.Add($"redis :{port} slowlog get 5 (id, at, µs, command…): {(await RedisCliAsync(port, "slowlog", "get", "5")).ReplaceLineEndings(" ")}");
        }

        return string.Join(Environment.NewLine, parts);

        static async Task<string> RedisCliAsync(int port, params string[] command) =>
            (await ExternalProcess.RunAsync(ToolPaths.RedisCli, ["-p", port.ToString(CultureInfo.InvariantCulture), .. command], TimeSpan.FromSeconds(10))).Output.Trim();
    }

    /// <summary>
    /// For a test class's <c>DisposeAsync</c>: when the test that just ran failed, its output gets
    /// <see cref="DiagnosisAsync"/>, so a failure that came from the stack (a Redis stall, a proxy failing open) says so.
    /// </summary>
    public async ValueTask ExplainFailureAsync()
    {
        if (TestContext.Current.TestState?.Result == TestResult.Failed && TestContext.Current.TestOutputHelper is { } output)
        {
            output.WriteLine(await DiagnosisAsync());
        }
    }

    /// <summary>
    /// Fails the test unless <paramref name="run"/> (a browser check, a rehearsal against this stack) exited 0, with its
    /// output and <see cref="DiagnosisAsync"/> in the message.
    /// </summary>
    public async Task AssertSucceededAsync(ExternalProcess.Result run, string what)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.ExitCode != 0)
        {
            Assert.Fail($"{what} failed:{Environment.NewLine}{run.Output}{await DiagnosisAsync()}");
        }
    }

    /// <summary>A log's lines, read while its process may still be writing it.</summary>
    private static List<string> ReadShared(string path)
    {
        var lines = new List<string>();
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await DownAsync(CancellationToken.None);
        }
        finally
        {
            await ExternalProcess.RunAsync("rm", ["-rf", StateDirectory], DownTimeout);
        }
    }

    private Task<ExternalProcess.Result> RunAsync(string command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var environment = Ports.ToDictionary(p => p.Key, p => (string?)p.Value.ToString(CultureInfo.InvariantCulture), StringComparer.Ordinal);
        environment["STACK_STATE_DIR"] = StateDirectory;
        environment["STACK_READY_TIMEOUT"] = "180";
        environment["WaitingRoom__AdminKey"] = AdminKey;
        if (RedisClusterNodes.Count > 0)
        {
            environment["STACK_REDIS_CLUSTER"] = RedisClusterNodes.Count.ToString(CultureInfo.InvariantCulture);
            environment["STACK_REDIS_CLUSTER_PORTS"] = string.Join(
                ',', RedisClusterNodes.Select(node => node.Port.ToString(CultureInfo.InvariantCulture) + "@" + node.Bus.ToString(CultureInfo.InvariantCulture)));
        }

        foreach (var (name, value) in _settings)
        {
            environment[name] = value;
        }

        // ./stack test has built everything already; a build of our own would race with the running tests.
        environment["STACK_NO_BUILD"] = BuildOutputExists() ? "1" : "0";
        return ExternalProcess.RunAsync("bash", [Path.Combine(RepositoryRoot, "stack"), command], timeout, environment, RepositoryRoot, cancellationToken);
    }

    private bool BuildOutputExists() =>
        File.Exists(Path.Combine(RepositoryRoot, "backend-reservation", "bin", "Release", "net10.0", "YarpWaitingRoom.Reservation.dll"));

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "stack")) && File.Exists(Path.Combine(directory.FullName, "YarpWaitingRoom.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Repository root (with ./stack and YarpWaitingRoom.sln) not found above " + AppContext.BaseDirectory);
    }
}
