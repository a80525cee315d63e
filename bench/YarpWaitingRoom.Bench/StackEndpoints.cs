using System.Globalization;

namespace YarpWaitingRoom.Bench;

/// <summary>The local stack's URLs, from the same <c>STACK_*_PORT</c> variables (and defaults) as <c>./stack</c>.</summary>
internal static class StackEndpoints
{
    private const string AdminKeyVariable = "WaitingRoom__AdminKey";

    public static Uri BackendA => Local("STACK_BACKEND_A_PORT", 5301);

    public static Uri InternalLoadBalancer => Local("STACK_INTERNAL_LB_PORT", 8090);

    public static Uri Edge => Local("STACK_EDGE_PORT", 8080);

    /// <summary>
    /// The stack's .NET services by the names <c>./stack</c> gives their pid files (<c>.stack/run/&lt;name&gt;.pid</c>), each
    /// at its own address (<c>/metrics</c>, <c>/readyz</c>).
    /// </summary>
    public static IReadOnlyList<(string Name, Uri Address)> DotnetServices =>
    [
        ("backend-a", BackendA),
        ("backend-b", Local("STACK_BACKEND_B_PORT", 5302)),
        ("proxy-a", Local("STACK_PROXY_A_PORT", 5101)),
        ("proxy-b", Local("STACK_PROXY_B_PORT", 5102)),
        ("hub-a", Local("STACK_HUB_A_PORT", 5201)),
        ("hub-b", Local("STACK_HUB_B_PORT", 5202)),
    ];

    /// <summary>The stack's Redis as a StackExchange.Redis endpoint, <c>127.0.0.1:&lt;port&gt;</c>.</summary>
    public static string Redis => $"127.0.0.1:{Port("STACK_REDIS_PORT", 6380).ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The folder holding <c>YarpWaitingRoom.sln</c>, found upwards from the bench's binaries (else the current folder).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>Where <c>./stack</c> keeps its state (logs, pid files, <c>secrets.env</c>).</summary>
    public static string StateDirectory =>
        Environment.GetEnvironmentVariable("STACK_STATE_DIR") is { Length: > 0 } configured ? configured : Path.Combine(RepositoryRoot, ".stack");

    /// <summary>The stack's admin key from the environment, else from its <c>secrets.env</c> (lines <c>KEY=VALUE</c>).</summary>
    public static string? AdminKey()
    {
        if (Environment.GetEnvironmentVariable(AdminKeyVariable) is { Length: > 0 } configured)
        {
            return configured;
        }

        return File.Exists(SecretsFile)
            ? File.ReadLines(SecretsFile)
                .Select(line => line.Trim())
                .Where(line => line.StartsWith(AdminKeyVariable + "=", StringComparison.Ordinal))
                .Select(line => line[(AdminKeyVariable.Length + 1)..].Trim('"', '\''))
                .FirstOrDefault()
            : null;
    }

    /// <summary>Where <c>./stack</c> keeps a pid file per service.</summary>
    public static string RunDirectory => Path.Combine(StateDirectory, "run");

    /// <summary>The <c>./stack</c> script itself (for <c>./stack reset</c>).</summary>
    public static string StackScript => Path.Combine(RepositoryRoot, "stack");

    private static string SecretsFile => Path.Combine(StateDirectory, "secrets.env");

    private static Uri Local(string variable, int fallback) =>
        new($"http://127.0.0.1:{Port(variable, fallback).ToString(CultureInfo.InvariantCulture)}");

    private static int Port(string variable, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.None, CultureInfo.InvariantCulture, out var configured)
            ? configured
            : fallback;

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "YarpWaitingRoom.sln")))
            {
                return directory.FullName;
            }
        }

        return Environment.CurrentDirectory;
    }
}
