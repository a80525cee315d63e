using Prometheus;
using YarpWaitingRoom.Yarp.Gate;
using YarpWaitingRoom.Yarp.Limits;
using YarpWaitingRoom.Tokens;

namespace YarpWaitingRoom.Yarp.Diagnostics;

/// <summary>The gate's Prometheus metrics.</summary>
internal sealed class GateMetrics
{
    // Every series is registered when the singleton is built (at start-up), so /metrics lists them before first use;
    // the collectors live in Prometheus's default registry, which hands a second instance the same ones.
    private readonly Counter RequestsTotal = Metrics.CreateCounter(
        "waitingroom_requests_total", "Requests at gated routes by room, route and outcome (passed, diverted, direct-admit, failed-open, failed-closed, rate-limited, shed).",
        "room", "route", "outcome");

    private readonly Counter TokensRejectedTotal = Metrics.CreateCounter(
        "waitingroom_tokens_rejected_total", "Cookies, tickets and entry codes refused, by room, kind and reason.",
        "room", "kind", "reason");

    private readonly Counter AdminRejectedTotal = Metrics.CreateCounter(
        "waitingroom_admin_rejected_total", "Admin calls refused for a missing or wrong key.", "reason");

    private readonly Counter InvalidHeadersTotal = Metrics.CreateCounter(
        "waitingroom_invalid_headers_total", "Requests refused with 400 before forwarding: a header the forwarder cannot carry (non-ASCII, control characters).");

    private readonly Counter RateLimitedTotal = Metrics.CreateCounter(
        "waitingroom_rate_limited_total", "Requests refused by the per-client rate limits, by policy (join, new-place, visitor, admin) and reason (address, network).",
        "policy", "reason");

    private readonly Counter RateLimitFallbacksTotal = Metrics.CreateCounter(
        "waitingroom_rate_limit_fallbacks_total", "Join and admin decisions made by this proxy's own buckets alone because Redis did not answer the site-wide limit.");

    private readonly Counter NewPlacesTotal = Metrics.CreateCounter(
        "waitingroom_new_places_total", "Places created in the queue (or admitted directly) by room, and whether the visitor was new (no valid visitor cookie) or known.",
        "room", "visitor");

    private readonly Histogram RouteDuration = Metrics.CreateHistogram(
        "waitingroom_route_request_duration_seconds", "Time at gated routes (gate plus backend), by room and route.",
        new HistogramConfiguration
        {
            LabelNames = ["room", "route"],
            Buckets = [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        });

    private readonly Counter RouteResponses = Metrics.CreateCounter(
        "waitingroom_route_responses_total", "Responses at gated routes by room, route and status code.", "room", "route", "code");

    private static readonly string[] OutcomeLabels = ["passed", "diverted", "direct-admit", "failed-open", "failed-closed", "rate-limited", "shed"];

    public void Request(string room, string route, GateOutcome outcome, TimeSpan elapsed, int statusCode)
    {
        RequestsTotal.WithLabels(room, route, OutcomeLabels[(int)outcome]).Inc();
        RouteDuration.WithLabels(room, route).Observe(elapsed.TotalSeconds);
        RouteResponses.WithLabels(room, route, StatusLabel(statusCode)).Inc();
    }

    private static string StatusLabel(int statusCode) => statusCode switch
    {
        200 => "200",
        201 => "201",
        302 => "302",
        404 => "404",
        409 => "409",
        429 => "429",
        503 => "503",
        _ => statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public void AdminRejected(string reason) => AdminRejectedTotal.WithLabels(reason).Inc();

    public void RateLimited(string policy) => RateLimited(policy, LimitScope.Address);

    public void RateLimited(string policy, LimitScope reason) =>
        RateLimitedTotal.WithLabels(policy, reason == LimitScope.Network ? "network" : "address").Inc();

    public void RateLimitFallback() => RateLimitFallbacksTotal.Inc();

    public void NewPlace(string room, bool newVisitor) => NewPlacesTotal.WithLabels(room, newVisitor ? "new" : "known").Inc();

    public void InvalidHeader() => InvalidHeadersTotal.Inc();

    public void TokenRejected(string room, string kind, TokenStatus status) =>
        TokensRejectedTotal.WithLabels(room, kind, status.ToString()).Inc();

    /// <summary>A genuine admission cookie refused because its admission ended (<c>reason="Revoked"</c>).</summary>
    public void CookieRevoked(string room) => TokensRejectedTotal.WithLabels(room, "cookie", RevokedReason).Inc();

    /// <summary>An entry code presented again after its admission was entered (<c>reason="Used"</c>).</summary>
    public void CodeReused(string room) => TokensRejectedTotal.WithLabels(room, "code", UsedReason).Inc();

    private const string RevokedReason = "Revoked";

    private const string UsedReason = "Used";
}
