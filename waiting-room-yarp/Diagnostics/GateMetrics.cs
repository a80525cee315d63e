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
        "waitingroom_requests_total", "Requests at gated routes by room, route and outcome (passed, diverted, direct-admit, failed-open, failed-closed, rate-limited, shed, sold-out, challenged, refused, network-cap).",
        "room", "route", "outcome");

    private readonly Counter TokensRejectedTotal = Metrics.CreateCounter(
        "waitingroom_tokens_rejected_total", "Cookies, tickets and entry codes refused, by room, kind and reason.",
        "room", "kind", "reason");

    private readonly Counter AdminRejectedTotal = Metrics.CreateCounter(
        "waitingroom_admin_rejected_total", "Admin calls refused for a missing or wrong key.", "reason");

    private readonly Counter OperatorActionsTotal = Metrics.CreateCounter(
        "waitingroom_operator_actions_total", "Operators' control actions (admin API or console), by room and action.", "room", "action");

    private readonly Counter AdminSignInsTotal = Metrics.CreateCounter(
        "waitingroom_admin_sign_ins_total", "Operator console sign-ins and sign-outs, by outcome (signed-in, wrong-key, signed-out).", "outcome");

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

    private readonly Counter NetworkCapRefusedTotal = Metrics.CreateCounter(
        "waitingroom_network_cap_refused_total", "New places refused because the client's network (/24, /64) holds the room's MaxPlacesPerNetwork waiting places already, by room.", "room");

    private readonly Counter EntriesResumedTotal = Metrics.CreateCounter(
        "waitingroom_entries_resumed_total", "Entry codes used again by the browser they belong to (its first answer was lost): let in again to the same admission, by room.", "room");

    private readonly Counter LeftTotal = Metrics.CreateCounter(
        "waitingroom_left_total", "Places given up on purpose (the sold-out page's leave, an API client's POST .../leave), by room.", "room");

    private readonly Counter LeaveRefusedTotal = Metrics.CreateCounter(
        "waitingroom_leave_refused_total", "Calls to give up a place refused, by room and reason (cross-site, foreign, invalid).", "room", "reason");

    private readonly Counter KeepAlivesTotal = Metrics.CreateCounter(
        "waitingroom_keepalives_total", "Keep-alive calls (POST /_wr/alive) by result: accepted (an admission noted), no-admission (no valid admission cookie), ended (the admission ended), cross-site (refused before the cookies were read).",
        "result");

    private readonly Counter KeepAliveFlushesTotal = Metrics.CreateCounter(
        "waitingroom_keepalive_flushes_total", "Touch calls that wrote keep-alives to Redis, by room (at most one per room per second per proxy).", "room");

    private readonly Counter KeepAliveTicketsTotal = Metrics.CreateCounter(
        "waitingroom_keepalive_tickets_total", "Admitted tickets marked seen by keep-alive flushes, by room (each once per flush however often it beat).", "room");

    private readonly Counter ChallengesIssuedTotal = Metrics.CreateCounter(
        "waitingroom_challenges_issued_total", "Proof-of-work challenges handed to visitors without a place (the API's 503, the waiting page's), by room.", "room");

    private readonly Counter ChallengesSolvedTotal = Metrics.CreateCounter(
        "waitingroom_challenges_solved_total", "Proofs of work accepted: a place taken with a solved challenge, by room.", "room");

    private readonly Counter ProofsRefusedTotal = Metrics.CreateCounter(
        "waitingroom_proofs_refused_total", "Proofs of work refused, by room and reason (malformed, bad-signature, insufficient-work, wrong-room, wrong-visitor, replayed).",
        "room", "reason");

    private readonly Counter InvitationsRefusedTotal = Metrics.CreateCounter(
        "waitingroom_invitations_refused_total", "Invitation keys refused in invite-only rooms, by room and reason (missing, malformed, bad-signature, expired, wrong-room, unsupported-version).",
        "room", "reason");

    private readonly Histogram RouteDuration = Metrics.CreateHistogram(
        "waitingroom_route_request_duration_seconds", "Time at gated routes (gate plus backend), by room and route.",
        new HistogramConfiguration
        {
            LabelNames = ["room", "route"],
            Buckets = [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        });

    private readonly Counter RouteResponses = Metrics.CreateCounter(
        "waitingroom_route_responses_total", "Responses at gated routes by room, route and status code.", "room", "route", "code");

    private static readonly string[] OutcomeLabels = ["passed", "diverted", "direct-admit", "failed-open", "failed-closed", "rate-limited", "shed", "sold-out", "challenged", "refused", "network-cap"];

    /// <summary>
    /// One route's series of the per-request metrics, each labelled child looked up once (prometheus-net's label lookup
    /// costs more than the increment): the duration histogram at once, the outcome and status counters on first use, so
    /// /metrics lists only the series a route has seen, as before.
    /// </summary>
    public RouteSeries SeriesOf(string room, string route) => new(this, room, route);

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

    public void OperatorAction(string room, string action) => OperatorActionsTotal.WithLabels(room, action).Inc();

    public void AdminSignIn(string outcome) => AdminSignInsTotal.WithLabels(outcome).Inc();

    public void RateLimited(string policy) => RateLimited(policy, LimitScope.Address);

    public void RateLimited(string policy, LimitScope reason) =>
        RateLimitedTotal.WithLabels(policy, reason == LimitScope.Network ? "network" : "address").Inc();

    public void RateLimitFallback() => RateLimitFallbacksTotal.Inc();

    public void ChallengeIssued(string room) => ChallengesIssuedTotal.WithLabels(room).Inc();

    public void ChallengeSolved(string room) => ChallengesSolvedTotal.WithLabels(room).Inc();

    public void ProofRefused(string room, string reason) => ProofsRefusedTotal.WithLabels(room, reason).Inc();

    public void InvitationRefused(string room, string reason) => InvitationsRefusedTotal.WithLabels(room, reason).Inc();

    public void NewPlace(string room, bool newVisitor) => NewPlacesTotal.WithLabels(room, newVisitor ? "new" : "known").Inc();

    public void InvalidHeader() => InvalidHeadersTotal.Inc();

    /// <summary>A new place refused in <paramref name="room"/> for the client network's cap.</summary>
    public void NetworkCapRefused(string room) => NetworkCapRefusedTotal.WithLabels(room).Inc();

    public void Left(string room) => LeftTotal.WithLabels(room).Inc();

    public void LeaveRefused(string room, string reason) => LeaveRefusedTotal.WithLabels(room, reason).Inc();

    /// <summary>A keep-alive call answered with <paramref name="result"/> (<c>accepted</c>, <c>no-admission</c>, <c>ended</c>, <c>cross-site</c>).</summary>
    public void KeepAlive(string result) => KeepAlivesTotal.WithLabels(result).Inc();

    /// <summary>One touch of <paramref name="tickets"/> keep-alives in <paramref name="room"/>.</summary>
    public void KeepAliveFlushed(string room, int tickets)
    {
        KeepAliveFlushesTotal.WithLabels(room).Inc();
        KeepAliveTicketsTotal.WithLabels(room).Inc(tickets);
    }

    public void TokenRejected(string room, string kind, TokenStatus status) =>
        TokensRejectedTotal.WithLabels(room, kind, status.ToString()).Inc();

    /// <summary>A genuine admission cookie refused because its admission ended (<c>reason="Revoked"</c>).</summary>
    public void CookieRevoked(string room) => TokensRejectedTotal.WithLabels(room, "cookie", RevokedReason).Inc();

    /// <summary>An entry code presented again by its own browser after its admission was entered: let in again.</summary>
    public void EntryResumed(string room) => EntriesResumedTotal.WithLabels(room).Inc();

    private const string RevokedReason = "Revoked";

    /// <summary>The labelled children of one room's route (<see cref="SeriesOf"/>).</summary>
    internal sealed class RouteSeries
    {
        /// <summary>Status codes from 100 to 599 keep their child here; any other goes through the label lookup.</summary>
        private const int FirstCachedStatus = 100;
        private const int LastCachedStatus = 599;

        private readonly GateMetrics _metrics;
        private readonly string _room;
        private readonly string _route;
        private readonly Histogram.Child _duration;
        private readonly Counter.Child?[] _outcomes = new Counter.Child?[OutcomeLabels.Length];
        private readonly Counter.Child?[] _statuses = new Counter.Child?[LastCachedStatus - FirstCachedStatus + 1];

        public RouteSeries(GateMetrics metrics, string room, string route)
        {
            _metrics = metrics;
            _room = room;
            _route = route;
            _duration = metrics.RouteDuration.WithLabels(room, route);
        }

        public void Request(GateOutcome outcome, TimeSpan elapsed, int statusCode)
        {
            // A race on first use looks the same child up twice: prometheus-net hands out one child per label set.
            var outcomeChild = _outcomes[(int)outcome] ??= _metrics.RequestsTotal.WithLabels(_room, _route, OutcomeLabels[(int)outcome]);
            // The duration keeps the request's trace as its exemplar; the two counters of the same request do not repeat
            // it (reading it from the trace context is most of what an increment costs).
            outcomeChild.Inc(1, Exemplar.None);
            _duration.Observe(elapsed.TotalSeconds);
            StatusChild(statusCode).Inc(1, Exemplar.None);
        }

        private Counter.Child StatusChild(int statusCode)
        {
            if (statusCode is < FirstCachedStatus or > LastCachedStatus)
            {
                return _metrics.RouteResponses.WithLabels(_room, _route, StatusLabel(statusCode));
            }

            return _statuses[statusCode - FirstCachedStatus] ??= _metrics.RouteResponses.WithLabels(_room, _route, StatusLabel(statusCode));
        }
    }
}
