using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using YarpWaitingRoom.Challenges;
using YarpWaitingRoom.Hosting;
using YarpWaitingRoom.Hub.Diagnostics;
using YarpWaitingRoom.Hub.Endpoints;
using YarpWaitingRoom.Hub.Push;
using YarpWaitingRoom.Hub.Sessions;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Tokens;

namespace YarpWaitingRoom.Hub.Extensions;

/// <summary>Everything <c>AddWaitingRoomHub()</c> registers and <c>MapWaitingRoomHub()</c> maps.</summary>
internal static class HubRegistration
{
    /// <summary>Name of the hub's Redis health check (tagged <c>ready</c>), apart from the gate's when one process hosts both.</summary>
    public const string RedisCheck = "waiting-room-hub-redis";

    /// <summary>
    /// No WebSocket keep-alive frames: each would be a timer per socket (and at 10,000 sockets 500 unsolicited pongs a
    /// second). Connections stay alive without them: the hub pushes every waiting session its place every PushInterval
    /// (keep it below the edge's read timeout, 75 s), the page heartbeats every HeartbeatInterval (which also keeps NAT
    /// mappings open), and the page reconnects a socket silent for two push intervals and a heartbeat.
    /// </summary>
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.Zero;

    /// <summary>The options classes <c>AddWaitingRoomHub</c> binds, by their path in the stock hub's layout.</summary>
    public static readonly IReadOnlyDictionary<string, Type> BoundSections = new Dictionary<string, Type>(StringComparer.OrdinalIgnoreCase)
    {
        [WaitingRoomOptions.SectionName] = typeof(WaitingRoomOptions),
        [SocketHubOptions.SectionName] = typeof(SocketHubOptions),
        [RateLimitOptions.SectionName] = typeof(RateLimitOptions),
    };

    public static void Add(IServiceCollection services, IConfiguration waitingRoom, IConfiguration hub)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(waitingRoom);
        ArgumentNullException.ThrowIfNull(hub);
        services.AddOptions<WaitingRoomOptions>().Bind(waitingRoom).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SocketHubOptions>().Bind(hub).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RateLimitOptions>().Bind(waitingRoom.GetSection(RateLimitOptions.SubsectionName)).ValidateDataAnnotations().ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<HubGuard>();
        services.AddSingleton<WaitingPageAssets>();
        services.AddSingleton<UpgradeOrigins>();
        services.AddSingleton<SocketAddressLimiter>();

        services.AddRedisConnection(provider => "socket-hub-" + provider.GetRequiredService<IOptions<SocketHubOptions>>().Value.InstanceName);
        // Every store call runs through one policy (breaker, busy vs stalled). The hub's calls are batches that grow
        // with its sockets (heartbeats, notices), so they keep the client library's own 5-s timeout.
        services.AddSingleton(provider => new RedisCallPolicy(
            provider.GetRequiredService<IConnectionMultiplexer>(),
            new RedisCallOptions { Timeout = TimeSpan.FromSeconds(5), StallAfter = TimeSpan.FromSeconds(10) },
            provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider => new TokenService(provider.GetRequiredService<IOptions<WaitingRoomOptions>>().Value.BuildSigningKeys()));
        // Challenges are signed with the tokens' keys (under a subkey of their own), so every hub and proxy verifies them.
        services.AddSingleton(provider => new ChallengeService(provider.GetRequiredService<IOptions<WaitingRoomOptions>>().Value.BuildSigningKeys()));
        services.AddSingleton<RoomDirectory>();
        services.AddSingleton<HubMetrics>();
        services.AddSingleton<SessionCloser>();
        services.AddSingleton<AdmissionNotifier>();
        services.AddSingleton<WaitingSocket>();
        services.AddSingleton<PositionPusher>();
        services.AddHostedService(provider => provider.GetRequiredService<PositionPusher>());
        services.AddHostedService<HeartbeatFlusher>();
        services.AddSingleton<SendDeadlines>();
        services.AddHostedService(provider => provider.GetRequiredService<SendDeadlines>());
        services.AddHostedService<AdmissionSubscriber>();
        services.AddSingleton<HubDrain>();
        services.AddHostedService(provider => provider.GetRequiredService<HubDrain>());

        services.AddHealthChecks().AddRedisCheck(HealthStatus.Unhealthy, minimumVersion: RedisConnection.ShardedPubSubVersion, name: RedisCheck);
    }

    /// <summary>
    /// The waiting page (<c>/_wr/wait/{room}</c>, with its sold-out and challenge pages), its assets (<c>/_wr/wait-assets/</c>, from the assembly:
    /// <see cref="WaitingPageAssets"/>) and the
    /// WebSocket (<c>/ws</c>, with its own WebSocket middleware), each behind <see cref="HubGuard"/>.
    /// </summary>
    public static IEndpointConventionBuilder Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var guard = endpoints.ServiceProvider.GetRequiredService<HubGuard>();
        var group = endpoints.MapGroup(string.Empty);
        ((IEndpointConventionBuilder)group).Finally(endpoint =>
        {
            var handler = endpoint.RequestDelegate ?? throw new InvalidOperationException($"Endpoint '{endpoint.DisplayName}' has no request delegate to guard.");
            endpoint.RequestDelegate = endpoint.Metadata.Contains(SocketEndpoint.Instance) ? guard.WrapSocket(handler) : guard.Wrap(handler);
        });

        group.Map(WaitingRoomPaths.Socket, Socket(endpoints.CreateApplicationBuilder())).WithMetadata(SocketEndpoint.Instance);
        group.MapGet(WaitingRoomPaths.WaitPrefix + "/{room}", WaitingPageEndpoint.GetAsync);
        group.MapGet(WaitingRoomPaths.WaitPrefix + "/{room}/sold-out", WaitingPageEndpoint.GetSoldOutAsync);
        group.MapGet(WaitingRoomPaths.WaitPrefix + "/{room}/challenge", WaitingPageEndpoint.GetChallengeAsync);

        var assets = endpoints.ServiceProvider.GetRequiredService<WaitingPageAssets>();
        group.MapMethods(WaitingRoomPaths.WaitAssets + "/{file}", [HttpMethods.Get, HttpMethods.Head], assets.ServeAsync);
        return group;
    }

    /// <summary>
    /// <c>/ws</c> served where this is called in the application's pipeline, behind the same <see cref="HubGuard"/>; any
    /// other request goes on. A socket's request lives as long as the socket: served here, ahead of the middlewares after
    /// it (exception handler, status pages, request metrics, routing), it keeps none of their frames or features alive.
    /// </summary>
    public static IApplicationBuilder UseSocket(IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var guard = app.ApplicationServices.GetRequiredService<HubGuard>();
        var socket = guard.WrapSocket(Socket(app.New()));
        return app.Use(next => context => IsSocketPath(context.Request.Path) ? socket(context) : next(context));
    }

    /// <summary><c>/ws</c> or <c>/ws/</c>, any case: what the endpoint's route matches.</summary>
    private static bool IsSocketPath(PathString path) =>
        path.StartsWithSegments(WaitingRoomPaths.Socket, StringComparison.OrdinalIgnoreCase, out var rest) && (!rest.HasValue || rest.Value == "/");

    /// <summary>
    /// The WebSocket's own pipeline: the WebSocket middleware, then <see cref="WaitingSocket"/>, resolved once (a request
    /// that never asks for its request services opens no service scope).
    /// </summary>
    private static RequestDelegate Socket(IApplicationBuilder builder)
    {
        var handler = builder.ApplicationServices.GetRequiredService<WaitingSocket>();
        builder.UseWebSockets(new WebSocketOptions { KeepAliveInterval = KeepAliveInterval });
        builder.Run(handler.HandleAsync);
        return builder.Build();
    }

    /// <summary>Marks the <c>/ws</c> endpoint, which the guard wraps without a frame of its own.</summary>
    private sealed class SocketEndpoint
    {
        public static readonly SocketEndpoint Instance = new();
    }
}
