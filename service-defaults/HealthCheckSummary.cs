namespace Microsoft.Extensions.Hosting;

/// <summary>One dependency's line in the <c>/readyz</c> body.</summary>
public sealed record HealthCheckSummary(string Status, string? Description, double DurationMs, IReadOnlyDictionary<string, object>? Data);
