using System.Security.Cryptography;

namespace YarpWaitingRoom.Bench;

/// <summary>
/// The real proxy (<c>proxy/bin/Release</c>, else <c>Debug</c>; or the assembly named by <c>YWR_BENCH_PROXY</c>, so the
/// same scenario can measure another build back to back) as a <see cref="ServiceProcess"/>.
/// </summary>
internal static class ProxyProcess
{
    /// <summary>Names a proxy assembly to run instead of this repository's build.</summary>
    public const string AssemblyVariable = "YWR_BENCH_PROXY";

    /// <summary>The admin key the bench's proxies are started with.</summary>
    public const string AdminKey = "bench-admin-key-0123456789";

    private static readonly string[] Configurations = ["Release", "Debug"];

    /// <summary>Starts the proxy and waits until <c>/readyz</c> answers 200.</summary>
    public static Task<ServiceProcess> StartAsync(IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken) =>
        ServiceProcess.StartAsync("proxy", FindAssembly(), environment, cancellationToken);

    /// <summary>
    /// A proxy on the stack's Redis with <paramref name="room"/> gating the <c>/api/</c> route, whose cluster is
    /// <paramref name="backend"/>, plus an ungated <c>/bare/</c> route to the same cluster; plain-http cookies, a fresh
    /// signing key, the bench's admin key and client rate limits out of the way (every request comes from one address).
    /// </summary>
    public static Dictionary<string, string> GatedEnvironment(string room, Uri backend, string? mode = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ConnectionStrings__Redis"] = StackEndpoints.Redis,
            ["WaitingRoom__AdminKey"] = AdminKey,
            ["WaitingRoom__SigningKeys__bench"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)),
            ["WaitingRoom__SecureCookies"] = "false",
            ["WaitingRoom__RateLimits__JoinPerSecond"] = "1000000",
            ["WaitingRoom__RateLimits__JoinBurst"] = "1000000",
            ["WaitingRoom__RateLimits__VisitorPerSecond"] = "1000000",
            ["WaitingRoom__RateLimits__VisitorBurst"] = "1000000",
            ["WaitingRoom__RateLimits__JoinPerNetworkPerSecond"] = "1000000",
            ["WaitingRoom__RateLimits__JoinNetworkBurst"] = "1000000",
            ["WaitingRoom__RateLimits__NewPlacePerSecond"] = "1000000",
            ["WaitingRoom__RateLimits__NewPlaceBurst"] = "1000000",
            ["WaitingRoom__RateLimits__NewPlacePerNetworkPerSecond"] = "1000000",
            ["WaitingRoom__RateLimits__NewPlaceNetworkBurst"] = "1000000",
            ["ReverseProxy__Routes__reservation-api__Metadata__WaitingRoom"] = room,
            ["ReverseProxy__Clusters__reservation__Destinations__internal-lb__Address"] = backend.ToString(),
            ["ReverseProxy__Routes__bare__ClusterId"] = "reservation",
            ["ReverseProxy__Routes__bare__Match__Path"] = "/bare/{**catch-all}",
        };
        if (mode is not null)
        {
            environment[$"WaitingRoom__Rooms__{room}__Mode"] = mode;
        }

        // Every request comes from one address: the cap on places per network is off like the rate limits.
        environment[$"WaitingRoom__Rooms__{room}__MaxPlacesPerNetwork"] = "0";

        return environment;
    }

    private static string FindAssembly()
    {
        if (Environment.GetEnvironmentVariable(AssemblyVariable) is { Length: > 0 } chosen)
        {
            return File.Exists(chosen) ? chosen : throw new FileNotFoundException($"{AssemblyVariable} names {chosen}, which does not exist");
        }

        var candidates = Configurations
            .Select(configuration => Path.Combine(StackEndpoints.RepositoryRoot, "proxy", "bin", configuration, "net10.0", "YarpWaitingRoom.Proxy.dll"))
            .ToArray();
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"the proxy is not built (looked for {string.Join(", ", candidates)}); run ./stack up or dotnet build proxy -c Release");
    }
}
