using System.Collections.Concurrent;
using Prometheus;

namespace YarpWaitingRoom.Hub.Diagnostics;

/// <summary>The socket hub's Prometheus metrics.</summary>
internal sealed class HubMetrics
{
    /// <summary>Registers every series at construction (the singleton is built at start-up), so <c>/metrics</c> lists them before first use.</summary>
    public HubMetrics()
    {
        foreach (var reason in RefusalReasons)
        {
            RefusedTotal.WithLabels(reason).Inc(0);
        }
    }

    private readonly Gauge Connections = Metrics.CreateGauge("sockethub_connections", "Open WebSocket sessions in this hub.", "room");
    private readonly Counter Accepted = Metrics.CreateCounter("sockethub_connections_total", "WebSocket sessions opened, by outcome (waiting, active, gone, rejected).", "room", "outcome");
    private readonly Counter MessagesIn = Metrics.CreateCounter("sockethub_messages_in_total", "Frames received, by type (heartbeat, invalid, oversized).", "type");
    private readonly Counter MessagesOut = Metrics.CreateCounter("sockethub_messages_out_total", "Messages queued to clients, by type.", "type");
    private readonly ConcurrentDictionary<string, Counter.Child> _in = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Counter.Child> _out = new(StringComparer.Ordinal);
    private readonly Counter Notices = Metrics.CreateCounter("sockethub_admission_notices_total", "Admission notices sent by this hub.", "room");
    private readonly Counter Duplicates = Metrics.CreateCounter("sockethub_notice_duplicates_suppressed_total", "Admission notices not sent because another hub claimed them.", "room");
    private readonly Counter Drops = Metrics.CreateCounter("sockethub_send_queue_drops_total", "Messages dropped because a client's send queue was full (the socket is closed).", "room");
    private readonly Counter RefusedTotal = Metrics.CreateCounter(
        "sockethub_refused_total", "Requests refused before any work, by reason (rate-limited: page or upgrade; origin; address-cap).", "reason");
    private readonly Counter Closes = Metrics.CreateCounter("sockethub_closes_total", "Sessions closed by the hub, by close code.", "code");
    private readonly Histogram PushTick = Metrics.CreateHistogram(
        "sockethub_push_tick_seconds", "Time to read every local session's position and queue the messages, per room.",
        new HistogramConfiguration { LabelNames = ["room"], Buckets = Histogram.ExponentialBuckets(0.0005, 2, 14) });
    private readonly Gauge PushRoundTrips = Metrics.CreateGauge("sockethub_push_round_trips", "Redis round trips of the last push tick.", "room");
    private readonly Gauge PushSessions = Metrics.CreateGauge("sockethub_push_sessions", "Sessions covered by the last push tick.", "room");
    private readonly Counter PositionMismatches = Metrics.CreateCounter(
        "sockethub_position_mismatches_total", "Push ticks whose computed place of a probe ticket differed from its ZRANK (the book is read whole again).", "room");

    /// <summary>Publishes a room's series at zero from the start, so dashboards show 0 rather than "no data".</summary>
    public void Prepare(string room)
    {
        Connections.WithLabels(room).Set(0);
        Notices.WithLabels(room).Inc(0);
        Duplicates.WithLabels(room).Inc(0);
        Drops.WithLabels(room).Inc(0);
        PushRoundTrips.WithLabels(room).Set(0);
        PositionMismatches.WithLabels(room).Inc(0);
        PushSessions.WithLabels(room).Set(0);
    }

    /// <summary>A session was registered (the gauge goes down again in <see cref="ClosedSession"/>).</summary>
    public void Connected(string room) => Connections.WithLabels(room).Inc();

    /// <summary>What the session turned out to be: waiting, active, entered, gone.</summary>
    public void Opened(string room, string outcome) => Accepted.WithLabels(room, outcome).Inc();

    public void ClosedSession(string room) => Connections.WithLabels(room).Dec();

    /// <summary>Every refusal reason, published at zero.</summary>
    public static readonly IReadOnlyList<string> RefusalReasons = ["rate-limited", "origin", "address-cap"];

    /// <summary>A request refused before any work: <c>rate-limited</c>, <c>origin</c> or <c>address-cap</c>.</summary>
    public void Refused(string reason) => RefusedTotal.WithLabels(reason).Inc();

    public void Rejected(string room) => Accepted.WithLabels(room, "rejected").Inc();

    public void In(string type) => _in.GetOrAdd(type, static (t, counter) => counter.WithLabels(t), MessagesIn).Inc();

    /// <summary>A message sent or queued (one per session per push tick: the labelled child is looked up once per type).</summary>
    public void Out(string type) => _out.GetOrAdd(type, static (t, counter) => counter.WithLabels(t), MessagesOut).Inc();

    public void Notice(string room) => Notices.WithLabels(room).Inc();

    public void Duplicate(string room) => Duplicates.WithLabels(room).Inc();

    public void Dropped(string room) => Drops.WithLabels(room).Inc();

    public void Closed(int code) => Closes.WithLabels(code.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();

    public void PositionMismatch(string room) => PositionMismatches.WithLabels(room).Inc();

    public void Tick(string room, TimeSpan duration, int roundTrips, int sessions)
    {
        PushTick.WithLabels(room).Observe(duration.TotalSeconds);
        PushRoundTrips.WithLabels(room).Set(roundTrips);
        PushSessions.WithLabels(room).Set(sessions);
    }
}
