using Prometheus;
using YarpWaitingRoom.Proxy.Gate;
using YarpWaitingRoom.Tokens;

namespace YarpWaitingRoom.Proxy.Diagnostics;

/// <summary>The gate's Prometheus metrics.</summary>
public sealed class GateMetrics
{
    private static readonly Counter RequestsTotal = Metrics.CreateCounter(
        "waitingroom_requests_total", "Requests at gated routes by room, route and outcome (passed, diverted, direct-admit, failed-open, failed-closed).",
        "room", "route", "outcome");

    private static readonly Counter TokensRejectedTotal = Metrics.CreateCounter(
        "waitingroom_tokens_rejected_total", "Cookies, tickets and entry codes refused, by room, kind and reason.",
        "room", "kind", "reason");

    private static readonly string[] OutcomeLabels = ["passed", "diverted", "direct-admit", "failed-open", "failed-closed"];

    public void Request(string room, string route, GateOutcome outcome) =>
        RequestsTotal.WithLabels(room, route, OutcomeLabels[(int)outcome]).Inc();

    public void TokenRejected(string room, string kind, TokenStatus status) =>
        TokensRejectedTotal.WithLabels(room, kind, status.ToString()).Inc();
}
