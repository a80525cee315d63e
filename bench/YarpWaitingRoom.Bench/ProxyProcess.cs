namespace YarpWaitingRoom.Bench;

/// <summary>The real proxy (<c>proxy/bin/Release</c>, else <c>Debug</c>) as a <see cref="ServiceProcess"/>.</summary>
internal static class ProxyProcess
{
    private static readonly string[] Configurations = ["Release", "Debug"];

    /// <summary>Starts the proxy and waits until <c>/readyz</c> answers 200.</summary>
    public static Task<ServiceProcess> StartAsync(IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken) =>
        ServiceProcess.StartAsync("proxy", FindAssembly(), environment, cancellationToken);

    private static string FindAssembly()
    {
        var candidates = Configurations
            .Select(configuration => Path.Combine(StackEndpoints.RepositoryRoot, "proxy", "bin", configuration, "net10.0", "YarpWaitingRoom.Proxy.dll"))
            .ToArray();
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"the proxy is not built (looked for {string.Join(", ", candidates)}); run ./stack up or dotnet build proxy -c Release");
    }
}
