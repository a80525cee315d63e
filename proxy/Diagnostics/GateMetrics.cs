using System.Runtime.CompilerServices;
using Prometheus;
using YarpWaitingRoom.Proxy.Gate;
using YarpWaitingRoom.Tokens;

namespace YarpWaitingRoom.Proxy.Diagnostics;

/// <summary>The gate's Prometheus metrics.</summary>
public sealed class GateMetrics
{
    /// <summary>Registers every series at construction (the singleton is built at start-up), so <c>/metrics</c> lists them before first use.</summary>
    public GateMetrics() => RuntimeHelpers.RunClassConstructor(typeof(GateMetrics).TypeHandle);

    private static readonly Counter RequestsTotal = Metrics.CreateCounter(
        "waitingroom_requests_total", "Requests at gated routes by room, route and outcome (passed, diverted, direct-admit, failed-open, failed-closed, rate-limited).",
        "room", "route", "outcome");

    private static readonly Counter TokensRejectedTotal = Metrics.CreateCounter(
        "waitingroom_tokens_rejected_total", "Cookies, tickets and entry codes refused, by room, kind and reason.",
        "room", "kind", "reason");

    private static readonly Counter AdminRejectedTotal = Metrics.CreateCounter(
        "waitingroom_admin_rejected_total", "Admin calls refused for a missing or wrong key.", "reason");

    private static readonly Counter RateLimitedTotal = Metrics.CreateCounter(
        "waitingroom_rate_limited_total", "Requests refused by the per-client rate limits, by policy.", "policy");

    private static readonly string[] OutcomeLabels = ["passed", "diverted", "direct-admit", "failed-open", "failed-closed", "rate-limited"];

    public void Request(string room, string route, GateOutcome outcome) =>
        RequestsTotal.WithLabels(room, route, OutcomeLabels[(int)outcome]).Inc();

    public void AdminRejected(string reason) => AdminRejectedTotal.WithLabels(reason).Inc();

    public void RateLimited(string policy) => RateLimitedTotal.WithLabels(policy).Inc();

    public void TokenRejected(string room, string kind, TokenStatus status) =>
        TokensRejectedTotal.WithLabels(room, kind, status.ToString()).Inc();
}
