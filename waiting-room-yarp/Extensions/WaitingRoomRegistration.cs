using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using RedLockNet;
using RedLockNet.SERedis;
using RedLockNet.SERedis.Configuration;
using StackExchange.Redis;
using YarpWaitingRoom.Hosting;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Tokens;
using YarpWaitingRoom.Traffic;
using YarpWaitingRoom.Yarp.Admission;
using YarpWaitingRoom.Yarp.Contracts;
using YarpWaitingRoom.Yarp.Diagnostics;
using YarpWaitingRoom.Yarp.Endpoints;
using YarpWaitingRoom.Yarp.Gate;
using YarpWaitingRoom.Yarp.Limits;
using YarpWaitingRoom.Yarp.Rooms;
using YarpWaitingRoom.Yarp.Switching;
using YarpWaitingRoom.Yarp.Traffic;

namespace YarpWaitingRoom.Yarp.Extensions;

/// <summary>Everything <c>AddWaitingRoom()</c> registers: the gate's services, its background loops and health checks.</summary>
internal static class WaitingRoomRegistration
{
    /// <summary>Names of the health checks the waiting room adds (tagged <c>ready</c>), prefixed so they do not meet a gateway's own.</summary>
    public const string RedisCheck = "waiting-room-redis";

    /// <inheritdoc cref="RedisCheck"/>
    public const string AdmissionCheck = "waiting-room-admission";

    /// <summary>
    /// The options classes <c>AddWaitingRoom</c> binds, by their path when the section passed is <c>WaitingRoom</c> (the
    /// stock hosts' layout): the section itself, and its <c>Gate</c> and <c>RateLimits</c> subsections.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, Type> BoundSections = new Dictionary<string, Type>(StringComparer.OrdinalIgnoreCase)
    {
        [WaitingRoomOptions.SectionName] = typeof(WaitingRoomOptions),
        [GateOptions.SectionName] = typeof(GateOptions),
        [RateLimitOptions.SectionName] = typeof(RateLimitOptions),
    };

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

    public static void Add(IServiceCollection services, IConfiguration section, Action<WaitingRoomOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);

        var rooms = services.AddOptions<WaitingRoomOptions>().Bind(section);
        if (configure is not null)
        {
            rooms.Configure(configure);
        }

        rooms.ValidateDataAnnotations()
            .Validate(
                o => o.Operators().Count > 0 && (string.IsNullOrEmpty(o.AdminKey) || o.AdminKey.Length >= WaitingRoomOptions.MinAdminKeyLength),
                $"WaitingRoom:AdminKey, or at least one WaitingRoom:AdminKeys:<operator>, of at least {WaitingRoomOptions.MinAdminKeyLength} characters (the admin API needs one).")
            .ValidateOnStart();
        services.AddOptions<GateOptions>().Bind(section.GetSection(GateOptions.SubsectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RateLimitOptions>().Bind(section.GetSection(RateLimitOptions.SubsectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ProxyJsonContext.Default));

        services.TryAddSingleton(TimeProvider.System);
        // The gateway's own multiplexer if it registered one (before or after this call); otherwise one from
        // ConnectionStrings:Redis that connects in the background and never fails start-up.
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
        // Admission's lock: a proxy that finds it held retries a few times within a second (RedLock's default: 3 attempts, up
        // to 400 ms apart), so capacity freed during another proxy's batch is admitted right after it, not a tick later.
        services.AddSingleton<IDistributedLockFactory>(provider => LockFactory(provider, retryConfiguration: null));
        // The switch's leases: one attempt. A lease held by another proxy is simply not this proxy's this second; waiting
        // for it would only delay the evaluation of this room's second (each room has its own loop, SwitchEvaluator).
        services.AddKeyedSingleton<IDistributedLockFactory>(
            SwitchEvaluator.LeaseLocks, (provider, _) => LockFactory(provider, new RedLockRetryConfiguration(retryCount: 1)));
        // Remembers verified cookies, so an admitted visitor's request costs a lookup, not two HMACs: the visitor and the
        // admission cookie of every session the rooms allow at once (about 1.1 KB per session). Entry codes (one-time)
        // and tickets are not remembered.
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<WaitingRoomOptions>>().Value;
            return new TokenService(options.BuildSigningKeys(), VerifiedCookieCapacity(options), VerifiedCookieKinds);
        });
        services.AddSingleton(provider => new Challenges.ChallengeService(provider.GetRequiredService<IOptions<WaitingRoomOptions>>().Value.BuildSigningKeys()));
        services.AddSingleton(provider => new MemberVisitorKey(provider.GetRequiredService<IOptions<WaitingRoomOptions>>().Value.BuildMemberVisitorKey()));
        services.AddSingleton<EntryCredentials>();
        services.AddSingleton<RoomRegistry>();
        services.AddSingleton<WaitingRoomCookies>();
        services.AddSingleton<TrafficCounter>();
        services.AddSingleton<GatedRoutes>();
        services.AddSingleton<GateMetrics>();
        services.AddSingleton<RoomMetrics>();
        services.AddSingleton<AdmissionSignal>();
        services.AddHostedService<TrafficFlusher>();
        services.AddHostedService<Inventory.InventoryFlusher>();
        services.AddHostedService<EntryTallyFlusher>();
        services.AddSingleton<KeepAlive.KeepAliveScript>();
        services.AddHostedService<KeepAlive.KeepAliveFlusher>();
        services.AddHostedService<RoomMonitor>();
        services.AddHostedService<SwitchEvaluator>();
        services.AddHostedService<AdmissionScheduler>();
        services.AddHostedService<Reaper>();
        services.AddClientRateLimits();
        services.AddSingleton<AdminKey>();
        services.AddSingleton<Console.AdminSessions>();
        services.AddSingleton<Console.OperatorAudit>();
        services.AddSingleton<Console.ConsoleFeeds>();
        services.AddHostedService(provider => provider.GetRequiredService<Console.ConsoleFeeds>());
        services.AddSingleton<Console.ConsoleAssets>();
        services.AddSingleton<EndpointGuard>();

        services.AddHealthChecks()
            .AddRedisCheck(HealthStatus.Unhealthy, "the gate applies each room's failure policy", RedisConnection.ShardedPubSubVersion, RedisCheck)
            .AddCheck<AdmissionHealthCheck>(AdmissionCheck, HealthStatus.Degraded, [HealthTags.Ready]);
    }

    /// <summary>RedLock over the process's multiplexer (one Redis, or a cluster: a lock is one key), with its attempts.</summary>
    private static RedLockFactory LockFactory(IServiceProvider provider, RedLockRetryConfiguration? retryConfiguration) => RedLockFactory.Create(
        [new RedLockMultiplexer(provider.GetRequiredService<IConnectionMultiplexer>())],
        retryConfiguration,
        provider.GetRequiredService<ILoggerFactory>());
}
