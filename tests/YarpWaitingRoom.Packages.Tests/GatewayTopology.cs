using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Packages.Tests;

/// <summary>
/// What a NuGet user runs, built once for the collection: the two packages packed with <c>./stack pack</c> into a fresh
/// feed, samples/Gateway copied out of the repository beside that feed (the layout its nuget.config expects:
/// <c>samples/Gateway</c> and <c>artifacts/packages</c>) and built against it with a NuGet packages folder of its own, so
/// a re-packed same version never comes from a cache. Then a redis-server, the upstream stub, one socket hub (the
/// repository's build) and the sample gateway as a process, configured by environment variables only; and a second
/// sample gateway whose Redis is a closed port, with the room failing closed.
/// </summary>
public sealed class GatewayTopology : IAsyncLifetime
{
    public const string Room = "concert";

    public const string AdminKey = "packages-test-admin-key-0123456789";

    public const int MaxActive = 5;

    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long until the gateway acts on a mode it was just given: it caches the room's state and re-reads it at once when
    /// told on the room's channel, and once a second whatever happens (a read begun before the write may land after it).
    /// </summary>
    private static readonly TimeSpan ModeApplied = TimeSpan.FromSeconds(1.2);

    private readonly string _work = Directory.CreateTempSubdirectory("ywr-packages-").FullName;
    private RedisServer? _redis;
    private UpstreamStub? _upstream;
    private ServiceProcess? _hub;
    private ServiceProcess? _gateway;
    private ServiceProcess? _gatewayWithoutRedis;

    /// <summary>The feed <c>./stack pack</c> wrote.</summary>
    public string Feed => Path.Combine(_work, "artifacts", "packages");

    /// <summary>The temporary directory the fixture works in (feeds of other packs may go under it).</summary>
    public string WorkDirectory => _work;

    public UpstreamStub Upstream => _upstream ?? throw NotInitialised();

    public ServiceProcess Hub => _hub ?? throw NotInitialised();

    public ServiceProcess Gateway => _gateway ?? throw NotInitialised();

    public ServiceProcess GatewayWithoutRedis => _gatewayWithoutRedis ?? throw NotInitialised();

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        (await PackAsync(Feed, cancellationToken)).EnsureSuccess("./stack pack");
        var gatewayDll = await BuildSampleAsync(cancellationToken);

        _redis = await RedisServer.StartAsync(cancellationToken: cancellationToken);
        _upstream = await UpstreamStub.StartAsync();
        var signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        var shared = new Dictionary<string, string?>
        {
            ["ConnectionStrings__Redis"] = _redis.ConnectionString,
            ["WaitingRoom__SigningKeys__k1"] = signingKey,
            ["WaitingRoom__CurrentSigningKey"] = "k1",
            ["WaitingRoom__SecureCookies"] = "false",
            [$"WaitingRoom__Rooms__{Room}__MaxActive"] = MaxActive.ToString(CultureInfo.InvariantCulture),
            [$"WaitingRoom__Rooms__{Room}__AdmitInterval"] = "00:00:01",
            [$"WaitingRoom__Rooms__{Room}__HeartbeatInterval"] = "00:00:01",
            [$"WaitingRoom__Rooms__{Room}__AbandonAfter"] = "00:00:30",
            [$"WaitingRoom__Rooms__{Room}__ClaimWindow"] = "00:00:30",
            [$"WaitingRoom__Rooms__{Room}__SessionDuration"] = "00:05:00",
        };

        var hubDll = Repository.PathOf("socket-hub", "bin", Repository.Configuration, "net10.0", "YarpWaitingRoom.SocketHub.dll");
        if (!File.Exists(hubDll))
        {
            throw new InvalidOperationException($"{hubDll} not found: build socket-hub ({Repository.Configuration}) first.");
        }

        var hubPort = FreePort.Next();
        _hub = await ServiceProcess.StartAsync("socket hub", hubDll, hubPort, new Dictionary<string, string?>(shared)
        {
            ["SocketHub__InstanceName"] = "hub-packages",
            ["SocketHub__PushInterval"] = "00:00:01",
        }, "/healthz", cancellationToken);

        _gateway = await StartGatewayAsync("sample gateway", gatewayDll, new Dictionary<string, string?>(shared)
        {
            ["ReverseProxy__Clusters__hub__Destinations__primary__Address"] = _hub.Address.ToString(),
        }, cancellationToken);

        // Redis on a port nobody listens on, and the room failing closed: the gated route can only answer 503 here.
        _gatewayWithoutRedis = await StartGatewayAsync("sample gateway without Redis", gatewayDll, new Dictionary<string, string?>(shared)
        {
            ["ConnectionStrings__Redis"] = "127.0.0.1:" + FreePort.Next().ToString(CultureInfo.InvariantCulture),
            [$"WaitingRoom__Rooms__{Room}__FailurePolicy"] = "Closed",
        }, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in new[] { _gatewayWithoutRedis, _gateway, _hub })
        {
            if (process is not null)
            {
                await process.DisposeAsync();
            }
        }

        if (_upstream is not null)
        {
            await _upstream.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        Directory.Delete(_work, recursive: true);
    }

    /// <summary><c>./stack pack <paramref name="feed"/></c>.</summary>
    public static Task<ExternalProcess.Result> PackAsync(string feed, CancellationToken cancellationToken) =>
        ExternalProcess.RunAsync("bash", [Repository.PathOf("stack"), "pack", feed], BuildTimeout, workingDirectory: Repository.Root, cancellationToken: cancellationToken);

    /// <summary>A client of the sample gateway: no redirects followed; cookies kept when <paramref name="cookies"/> is given.</summary>
    public HttpClient Client(CookieContainer? cookies = null, ServiceProcess? gateway = null) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = cookies is not null, CookieContainer = cookies ?? new CookieContainer() })
        {
            BaseAddress = (gateway ?? Gateway).Address,
        };

    /// <summary>Empties the room (queue, sessions, forced mode) and forces <paramref name="mode"/>, through the sample's admin API.</summary>
    public async Task ResetRoomAsync(string mode, CancellationToken cancellationToken)
    {
        using var admin = AdminClient();
        (await admin.PostAsync($"/_wr/admin/rooms/{Room}/reset", content: null, cancellationToken)).EnsureSuccessStatusCode();
        await SetModeAsync(mode, cancellationToken);
    }

    /// <summary><c>PUT /_wr/admin/rooms/concert/mode</c> with the admin key, through the sample gateway.</summary>
    public async Task SetModeAsync(string mode, CancellationToken cancellationToken)
    {
        using var admin = AdminClient();
        using var response = await admin.PutAsJsonAsync($"/_wr/admin/rooms/{Room}/mode", new { mode }, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"setting mode {mode} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        await Task.Delay(ModeApplied, cancellationToken);
    }

    private HttpClient AdminClient()
    {
        var admin = Client();
        admin.DefaultRequestHeaders.Add("X-WaitingRoom-Admin-Key", AdminKey);
        return admin;
    }

    private async Task<ServiceProcess> StartGatewayAsync(string name, string dll, Dictionary<string, string?> environment, CancellationToken cancellationToken)
    {
        environment["WaitingRoom__AdminKey"] = AdminKey;
        environment["ReverseProxy__Clusters__app__Destinations__primary__Address"] = Upstream.Address.ToString();
        return await ServiceProcess.StartAsync(name, dll, FreePort.Next(), environment, "/health", cancellationToken);
    }

    /// <summary>
    /// Copies samples/Gateway (without bin/ and obj/) to <c>&lt;work&gt;/samples/Gateway</c>, beside the feed, and builds it
    /// there with the version just packed and a packages folder of its own; returns its dll.
    /// </summary>
    private async Task<string> BuildSampleAsync(CancellationToken cancellationToken)
    {
        var source = Repository.PathOf("samples", "Gateway");
        var sample = Path.Combine(_work, "samples", "Gateway");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                || relative.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                continue;
            }

            var target = Path.Combine(sample, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        (await ExternalProcess.RunAsync(
            "dotnet",
            [
                "build", Path.Combine(sample, "Gateway.csproj"), "-c", "Release", "-nologo",
                "--packages", Path.Combine(_work, "nuget"),
                "-p:YarpWaitingRoomVersion=" + Repository.Version,
            ],
            BuildTimeout,
            workingDirectory: sample,
            cancellationToken: cancellationToken)).EnsureSuccess("dotnet build of samples/Gateway against the packages");
        return Path.Combine(sample, "bin", "Release", "net10.0", "Gateway.dll");
    }

    private static InvalidOperationException NotInitialised() => new("The fixture is not initialised.");
}

/// <summary>The tests that share <see cref="GatewayTopology"/>: one pack, one build, one set of processes.</summary>
[CollectionDefinition(Name)]
public sealed class GatewayGroup : ICollectionFixture<GatewayTopology>
{
    public const string Name = "sample gateway from the packages";
}
