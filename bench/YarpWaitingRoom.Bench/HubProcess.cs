using System.Diagnostics;
using System.Globalization;

namespace YarpWaitingRoom.Bench;

/// <summary>
/// The socket hub (<c>socket-hub/bin/Release</c>, built on first use if missing) as a <see cref="ServiceProcess"/>,
/// serving one bench room with the bench's signing key.
/// </summary>
internal static class HubProcess
{
    public const string AdminKey = "bench-admin-key-0123456789";

    /// <summary>The largest per-address limit the hub accepts.</summary>
    private const string UnlimitedPerAddress = "1000000";

    private static readonly SemaphoreSlim BuildLock = new(1, 1);

    private static string ProjectFolder => Path.Combine(StackEndpoints.RepositoryRoot, "socket-hub");

    private static string AssemblyPath => Path.Combine(StackEndpoints.RepositoryRoot, "socket-hub", "bin", "Release", "net10.0", "YarpWaitingRoom.SocketHub.dll");

    /// <summary>Starts hub <paramref name="instance"/> for <paramref name="room"/> and waits until <c>/readyz</c> answers 200.</summary>
    public static async Task<ServiceProcess> StartAsync(HubBenchRoom room, string instance, TimeSpan? pushInterval, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(room);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ConnectionStrings__Redis"] = StackEndpoints.Redis,
            ["WaitingRoom__AdminKey"] = AdminKey,
            [$"WaitingRoom__SigningKeys__{HubBenchRoom.SigningKeyId}"] = room.SigningSecret,
            ["SocketHub__InstanceName"] = instance,
            [$"WaitingRoom__Rooms__{room.Name}__MaxActive"] = room.Queue.Options.MaxActive.ToString(CultureInfo.InvariantCulture),
            // Every bench socket comes from this one address: lift the per-address limits (upgrades, open sockets).
            ["WaitingRoom__RateLimits__VisitorPerSecond"] = UnlimitedPerAddress,
            ["WaitingRoom__RateLimits__VisitorBurst"] = UnlimitedPerAddress,
            ["SocketHub__MaxSocketsPerAddress"] = UnlimitedPerAddress,
        };
        if (pushInterval is { } interval)
        {
            environment["SocketHub__PushInterval"] = interval.ToString("c", CultureInfo.InvariantCulture);
        }

        // Like ./stack: the project folder is the content root (its appsettings.json; the page's assets are embedded in
        // YarpWaitingRoom.Hub).
        var assembly = await EnsureBuiltAsync(cancellationToken);
        return await ServiceProcess.StartAsync("hub " + instance, assembly, environment, cancellationToken, ProjectFolder);
    }

    /// <summary>The hub's assembly; runs <c>dotnet build socket-hub -c Release</c> first when it is missing.</summary>
    private static async Task<string> EnsureBuiltAsync(CancellationToken cancellationToken)
    {
        await BuildLock.WaitAsync(cancellationToken);
        try
        {
            if (File.Exists(AssemblyPath))
            {
                return AssemblyPath;
            }

            Console.WriteLine($"  {AssemblyPath} is missing: dotnet build socket-hub -c Release");
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = StackEndpoints.RepositoryRoot,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { "build", "socket-hub", "-c", "Release", "-nologo", "-v", "q" })
            {
                start.ArgumentList.Add(argument);
            }

            using var build = Process.Start(start) ?? throw new InvalidOperationException("dotnet build did not start");
            var output = build.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = build.StandardError.ReadToEndAsync(cancellationToken);
            await build.WaitForExitAsync(cancellationToken);
            if (build.ExitCode != 0 || !File.Exists(AssemblyPath))
            {
                throw new InvalidOperationException($"dotnet build socket-hub -c Release failed ({build.ExitCode}):{Environment.NewLine}{await output}{await errors}");
            }

            return AssemblyPath;
        }
        finally
        {
            BuildLock.Release();
        }
    }
}
