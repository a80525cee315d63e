using Yarp.ReverseProxy.Model;
using YarpWaitingRoom.Hosting;

namespace YarpWaitingRoom.Proxy.Forwarding;

/// <summary>What the stock proxy adds around the waiting room, as the edge behind nginx.</summary>
internal static class EdgeExtensions
{
    /// <summary>Believes <c>X-Forwarded-For</c> / <c>-Proto</c> from <see cref="EdgeOptions.TrustedProxies"/> only (<c>app.UseForwardedHeaders()</c>).</summary>
    public static IServiceCollection AddEdgeForwarding(this IServiceCollection services)
    {
        services.AddOptions<EdgeOptions>().BindConfiguration(EdgeOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        return services.AddTrustedForwardedHeaders<EdgeOptions>(edge => edge.TrustedProxies);
    }

    /// <summary>
    /// The security headers (<see cref="SecurityHeaders"/>) on every response the proxy produces itself (gate answers,
    /// problems, <c>/_wr/</c> endpoints, the admin API, health), never on one forwarded from a backend.
    /// </summary>
    public static void UseSecurityHeadersOnOwnResponses(this WebApplication app) =>
        app.UseSecurityHeaders(except: static context => context.Features.Get<IReverseProxyFeature>()?.ProxiedDestination is not null);
}
