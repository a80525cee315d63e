using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Proxy.Diagnostics;
using YarpWaitingRoom.Proxy.Endpoints;
using YarpWaitingRoom.Proxy.Gate;
using YarpWaitingRoom.Proxy.Rooms;
using YarpWaitingRoom.Proxy.Traffic;
using YarpWaitingRoom.Tokens;

namespace YarpWaitingRoom.Proxy.Extensions;

internal static class Extensions
{
    public static void AddWaitingRoom(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;

        services.AddOptions<WaitingRoomOptions>().BindConfiguration(WaitingRoomOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<GateOptions>().BindConfiguration(GateOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ProxyJsonContext.Default));

        services.AddSingleton<IConnectionMultiplexer>(provider =>
        {
            var configuration = ConfigurationOptions.Parse(
                provider.GetRequiredService<IConfiguration>().GetConnectionString("Redis") ?? "127.0.0.1:6380");
            configuration.AbortOnConnectFail = false;
            configuration.ClientName = "proxy";
            return ConnectionMultiplexer.Connect(configuration);
        });
        services.AddSingleton(provider => new TokenService(provider.GetRequiredService<IOptions<WaitingRoomOptions>>().Value.BuildSigningKeys()));
        services.AddSingleton<RoomRegistry>();
        services.AddSingleton<WaitingRoomCookies>();
        services.AddSingleton<TrafficCounter>();
        services.AddSingleton<RedisCircuitBreaker>();
        services.AddSingleton<GateMetrics>();
        services.AddSingleton<AdmissionSignal>();
        services.AddHostedService<TrafficFlusher>();

        services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddTransforms<EndSessionTransformProvider>();

        services.AddHealthChecks()
            .AddCheck<RedisReadinessCheck>("redis", HealthStatus.Unhealthy, [ServiceDefaultsExtensions.ReadyTag]);
    }
}
