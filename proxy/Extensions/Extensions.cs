using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using RedLockNet;
using RedLockNet.SERedis;
using RedLockNet.SERedis.Configuration;
using StackExchange.Redis;
using Yarp.ReverseProxy.Model;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Proxy.Admission;
using YarpWaitingRoom.Proxy.Contracts;
using YarpWaitingRoom.Proxy.Diagnostics;
using YarpWaitingRoom.Proxy.Gate;
using YarpWaitingRoom.Proxy.Limits;
using YarpWaitingRoom.Proxy.Rooms;
using YarpWaitingRoom.Proxy.Switching;
using YarpWaitingRoom.Proxy.Traffic;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.ServiceDefaults.Forwarding;
using YarpWaitingRoom.ServiceDefaults.Security;
using YarpWaitingRoom.Tokens;
using YarpWaitingRoom.Traffic;

namespace YarpWaitingRoom.Proxy.Extensions;

internal static class Extensions
{
    /// <summary>The cookies an admitted visitor presents on every request: who they are, and their admission.</summary>
    internal static readonly TokenKind[] VerifiedCookieKinds = [TokenKind.Visitor, TokenKind.Admission];

    /// <summary>How many verified cookies the proxy remembers: <see cref="VerifiedCookieKinds"/> for every session the rooms allow at once.</summary>
    internal static int VerifiedCookieCapacity(WaitingRoomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        long sessions = 0;
        foreach (var room in options.Rooms.Values)
        {
            sessions += room.MaxActive;
        }

        return (int)Math.Min(int.MaxValue, sessions * VerifiedCookieKinds.Length);
    }

    /// <summary>
    /// The security headers (<see cref="SecurityHeaders"/>) on every response the proxy produces itself (gate answers,
    /// problems, <c>/_wr/</c> endpoints, the admin API, health), never on one forwarded from a backend.
    /// </summary>
    public static void UseSecurityHeadersOnOwnResponses(this WebApplication app) =>
        app.UseSecurityHeaders(except: static context => context.Features.Get<IReverseProxyFeature>()?.ProxiedDestination is not null);

    public static void AddWaitingRoom(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;

        services.AddOptions<WaitingRoomOptions>().BindConfiguration(WaitingRoomOptions.SectionName).ValidateDataAnnotations()
            .Validate(o => o.AdminKey.Length >= WaitingRoomOptions.MinAdminKeyLength, $"WaitingRoom:AdminKey must be at least {WaitingRoomOptions.MinAdminKeyLength} characters (the admin API needs it).")
            .ValidateOnStart();
        services.AddOptions<GateOptions>().BindConfiguration(GateOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ProxyJsonContext.Default));

        services.AddRedisConnection(_ => "proxy");
        // One view of Redis for the whole process: every store call (gate, endpoints, transforms, background loops)
        // runs through it, with the gate's timeout, busy-vs-stalled rule and breaker.
        services.AddSingleton(provider => new RedisCallPolicy(
            provider.GetRequiredService<IConnectionMultiplexer>(),
            provider.GetRequiredService<IOptions<GateOptions>>().Value.ToRedisCallOptions(),
            provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider => new TrafficStore(
            provider.GetRequiredService<IConnectionMultiplexer>(),
            provider.GetRequiredService<IOptions<WaitingRoomOptions>>().Value.Rooms.Keys,
            provider.GetRequiredService<RedisCallPolicy>()));
        services.AddSingleton<IDistributedLockFactory>(provider => RedLockFactory.Create(
            [new RedLockMultiplexer(provider.GetRequiredService<IConnectionMultiplexer>())],
            provider.GetRequiredService<ILoggerFactory>()));
        // Remembers verified cookies, so an admitted visitor's request costs a lookup, not two HMACs: the visitor and the
        // admission cookie of every session the rooms allow at once (about 1.1 KB per session). Entry codes (one-time)
        // and tickets are not remembered.
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<WaitingRoomOptions>>().Value;
            return new TokenService(options.BuildSigningKeys(), VerifiedCookieCapacity(options), VerifiedCookieKinds);
        });
        services.AddSingleton<RoomRegistry>();
        services.AddSingleton<WaitingRoomCookies>();
        services.AddSingleton<TrafficCounter>();
        services.AddSingleton<GateMetrics>();
        services.AddSingleton<RoomMetrics>();
        services.AddSingleton<AdmissionSignal>();
        services.AddHostedService<TrafficFlusher>();
        services.AddHostedService<RoomMonitor>();
        services.AddHostedService<SwitchEvaluator>();
        services.AddHostedService<AdmissionScheduler>();
        services.AddHostedService<Reaper>();
        services.AddClientRateLimits();

        services.AddTrustedForwardedHeaders<GateOptions>(gate => gate.TrustedProxies);

        services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddTransforms<EndSessionTransformProvider>();

        services.AddHealthChecks()
            .AddRedisCheck(HealthStatus.Unhealthy, "the gate applies each room's failure policy", RedisConnection.ShardedPubSubVersion)
            .AddCheck<AdmissionHealthCheck>("admission", HealthStatus.Degraded, [ServiceDefaultsExtensions.ReadyTag]);
    }
}
