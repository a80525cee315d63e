using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Proxy.Tests;

/// <summary>The real proxy on real Redis, routing <c>/api/**</c> (room <see cref="Room"/>) to a backend stub.</summary>
public sealed class ProxyApp : WebApplicationFactory<Program>
{
    public const string AdminKey = "test-admin-key-0123456789";
    public const string SigningSecret = "test-signing-secret-test-signing-secret";

    private readonly Dictionary<string, string?> _settings;
    private readonly TimeProvider? _timeProvider;

    public ProxyApp(string redis, Uri backend, string room, IReadOnlyDictionary<string, string?>? roomSettings = null, TimeProvider? timeProvider = null)
    {
        Room = room;
        _timeProvider = timeProvider;
        _settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["ConnectionStrings:Redis"] = redis,
            ["WaitingRoom:AdminKey"] = AdminKey,
            ["WaitingRoom:SigningKeys:test"] = SigningSecret,
            ["WaitingRoom:SecureCookies"] = "false",
            [$"WaitingRoom:Rooms:{room}:AdmitInterval"] = "00:00:01",
            ["ReverseProxy:Routes:reservation-api:Metadata:WaitingRoom"] = room,
            ["ReverseProxy:Clusters:reservation:Destinations:internal-lb:Address"] = backend.ToString(),
            ["Logging:LogLevel:Default"] = "Warning",
            [RedisTimeoutSetting] = RedisBudget.FunctionalTimeout,
            [StallAfterSetting] = RedisBudget.FunctionalStallAfter,
        };
        foreach (var (key, value) in roomSettings ?? new Dictionary<string, string?>())
        {
            _settings[$"WaitingRoom:Rooms:{room}:{key}"] = value;
        }
    }

    private const string RedisTimeoutSetting = "WaitingRoom:Gate:RedisTimeout";
    private const string StallAfterSetting = "WaitingRoom:Gate:StallAfter";

    public string Room { get; }

    /// <summary>
    /// The proxy's own Redis call budget (<c>WaitingRoom:Gate</c> defaults: 500 ms, stalled after 2 s), for a test of what
    /// happens when Redis is slow, hangs or is gone, instead of <see cref="RedisBudget"/>'s functional one. Call it before the
    /// first request.
    /// </summary>
    public ProxyApp WithProductionRedisBudget()
    {
        _settings.Remove(RedisTimeoutSetting);
        _settings.Remove(StallAfterSetting);
        return this;
    }

    /// <summary>Configuration handed to the app; change it before the first request.</summary>
    public IDictionary<string, string?> Settings => _settings;

    /// <summary>Serves on a real loopback port (Kestrel) instead of the in-memory server, for raw-socket clients; returns the address.</summary>
    public Uri StartOnLoopback()
    {
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        StartServer();
        return new Uri(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public HttpClient CreateBrowser() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(_settings));
        builder.ConfigureServices(services =>
        {
            // The site-wide limits of this test's proxies (those of its room) are their own: tests share one Redis.
            services.Replace(ServiceDescriptor.Singleton(new RateLimitKeys($"test:{Room}:limit:")));
            services.AddSingleton<IStartupFilter, LoopbackClientFilter>();
        });
        if (_timeProvider is not null)
        {
            builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton(_timeProvider)));
        }
    }

    /// <summary>
    /// Requests arrive as over Kestrel from the edge on the same host (the test server leaves the remote address empty), so
    /// a test chooses its client's address with <c>X-Forwarded-For</c>, which the proxy believes from loopback.
    /// </summary>
    private sealed class LoopbackClientFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress ??= IPAddress.Loopback;
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
