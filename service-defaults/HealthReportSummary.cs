namespace Microsoft.Extensions.Hosting;

/// <summary>The <c>/readyz</c> body.</summary>
public sealed record HealthReportSummary(string Status, double DurationMs, IReadOnlyDictionary<string, HealthCheckSummary> Checks);
