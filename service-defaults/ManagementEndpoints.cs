using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c> answer whoever asks an instance directly: the orchestrator's probes,
/// Prometheus, <c>./stack</c>. A request relayed by the edge or an ingress is a visitor's, and gets <c>404</c>: the rooms'
/// figures and the dependencies' health are not published. Every relay in front of the services sets
/// <c>X-Forwarded-For</c> (the edge nginx overwrites it, ingress-nginx appends to it). The forwarded-headers middleware
/// consumes that header when it believes the relay, so the request is marked as it arrives, ahead of the whole pipeline
/// (<see cref="MarkRelayed"/>, a startup filter): one header lookup per request.
/// </summary>
internal static partial class ManagementEndpoints
{
    private const string ForwardedFor = "X-Forwarded-For";
    private const string OriginalFor = "X-Original-For";

    private static readonly Counter Refused = Metrics.CreateCounter(
        "management_requests_refused_total", "Requests for /healthz, /readyz or /metrics relayed by the edge (a visitor's), answered 404, by endpoint.", "endpoint");

    /// <summary>Answers only direct requests on the endpoints <paramref name="builder"/> maps.</summary>
    public static TBuilder DirectOnly<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(static endpoint =>
        {
            var inner = endpoint.RequestDelegate ?? throw new InvalidOperationException($"{endpoint.DisplayName} has no request delegate to guard.");
            // The route's own pattern names it in the metric and the log, not the path as sent (any casing matches).
            var name = (endpoint as RouteEndpointBuilder)?.RoutePattern.RawText ?? endpoint.DisplayName ?? "management";
            endpoint.RequestDelegate = context => IsRelayed(context.Request) ? RefuseAsync(context, name) : inner(context);
        });
        return builder;
    }

    public static bool IsRelayed(HttpRequest request) =>
        request.HttpContext.Features.Get<Relayed>() is not null || request.Headers.ContainsKey(ForwardedFor) || request.Headers.ContainsKey(OriginalFor);

    /// <summary>Marks each request that arrives with <c>X-Forwarded-For</c>, before any middleware of the app may rewrite it.</summary>
    internal sealed class MarkRelayed : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(static (context, nextMiddleware) =>
            {
                if (context.Request.Headers.ContainsKey(ForwardedFor))
                {
                    context.Features.Set(Relayed.Instance);
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }

    /// <summary>The mark of a request that came through a relay.</summary>
    internal sealed class Relayed
    {
        public static readonly Relayed Instance = new();
    }

    private static Task RefuseAsync(HttpContext context, string endpoint)
    {
        Refused.WithLabels(endpoint).Inc();
        Log.Refused(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ManagementEndpoints).FullName!), endpoint);
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "{Path} asked through the edge: 404 (management endpoints answer direct requests only)")]
        public static partial void Refused(ILogger logger, string path);
    }
}
