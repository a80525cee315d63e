using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every YarpWaitingRoom service shares: problem details, health checks, and the
/// <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c> endpoints.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Tag of the health checks that decide readiness (<c>/readyz</c>).</summary>
    public const string ReadyTag = YarpWaitingRoom.Hosting.HealthTags.Ready;

    private const string PrivateMeterPrefix = "Private.InternalDiagnostics.";

    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // .NET meters reach /metrics through prometheus-net's adapter, except the runtime's private diagnostics copies
        // ("Private.InternalDiagnostics.*", e.g. 30-odd MsQuic series on a service without HTTP/3): noise, not signal.
        Metrics.ConfigureMeterAdapter(options => options.InstrumentFilterPredicate =
            static instrument => !instrument.Meter.Name.StartsWith(PrivateMeterPrefix, StringComparison.Ordinal));

        builder.Services.AddProblemDetails();
        builder.Services.AddHealthChecks();
        // Marks requests relayed by the edge as they arrive: the management endpoints refuse them.
        builder.Services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter, ManagementEndpoints.MarkRelayed>();
        builder.Services.AddSingleton(TimeProvider.System);

        // Background loops stop together, not one after another: with Redis unreachable each may be waiting on a command,
        // and in sequence those waits add up past a container's stop grace period (Docker's is 10 s).
        builder.Services.Configure<HostOptions>(options => options.ServicesStopConcurrently = true);
        builder.Logging.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fff ";
            options.UseUtcTimestamp = true;
        });

        return builder;
    }

    /// <summary>Adds prometheus-net's HTTP request metrics. Call early in the pipeline.</summary>
    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseHttpMetrics(options => options.ReduceStatusCodeCardinality());
        return app;
    }

    public static IEndpointRouteBuilder MapDefaultEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);

        // Liveness: the process answers. No dependency is consulted.
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            Predicate = static _ => false,
        }).DirectOnly();

        // Readiness: every dependency tagged "ready" answers. The body names each check.
        endpoints.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = static registration => registration.Tags.Contains(ReadyTag),
            ResponseWriter = WriteHealthReportAsync,
        }).DirectOnly();

        // Only for those who ask this instance directly (ManagementEndpoints): never through the edge.
        endpoints.MapMetrics("/metrics").DirectOnly();
        return endpoints;
    }

    private static Task WriteHealthReportAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var checks = new Dictionary<string, HealthCheckSummary>(report.Entries.Count, StringComparer.Ordinal);
        foreach (var (name, entry) in report.Entries)
        {
            checks[name] = new HealthCheckSummary(
                entry.Status.ToString(),
                entry.Description ?? entry.Exception?.Message,
                entry.Duration.TotalMilliseconds,
                entry.Data.Count == 0 ? null : entry.Data);
        }

        var summary = new HealthReportSummary(report.Status.ToString(), report.TotalDuration.TotalMilliseconds, checks);
        return JsonSerializer.SerializeAsync(context.Response.Body, summary, HealthJsonContext.Default.HealthReportSummary, context.RequestAborted);
    }
}
