using Prometheus;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Switch;

namespace YarpWaitingRoom.Yarp.Diagnostics;

/// <summary>
/// The rooms' Prometheus metrics. Gauges (queue on, waiting, active, rate) are the shared Redis state as this instance
/// last read it, so every instance reports the same value: aggregate them with max(). Counters count what this
/// instance did (each batch is admitted, each visitor reaped, by exactly one instance): aggregate them with sum().
/// </summary>
internal sealed class RoomMetrics
{
    // Every series is registered when the singleton is built (at start-up), so /metrics lists them before first use;
    // the collectors live in Prometheus's default registry, which hands a second instance the same ones.
    private readonly Gauge QueueOn = Metrics.CreateGauge("waitingroom_queue_on", "1 while the room's queue is on.", "room");
    private readonly Gauge Mode = Metrics.CreateGauge("waitingroom_mode", "The room's mode: 1 on the label of the current one.", "room", "mode");
    private readonly Gauge Waiting = Metrics.CreateGauge("waitingroom_waiting", "Visitors waiting.", "room");
    private readonly Gauge Active = Metrics.CreateGauge("waitingroom_active", "Visitors admitted and not yet gone.", "room");
    private readonly Gauge MaxActive = Metrics.CreateGauge("waitingroom_max_active", "The room's MaxActive in force: an operator's set at runtime, else the configured one.", "room");
    private readonly Gauge Rate = Metrics.CreateGauge("waitingroom_rate_per_second", "Requests in the last full second at the room's gated routes, all edge instances.", "room");
    private readonly Gauge Rate10 = Metrics.CreateGauge("waitingroom_rate_10s_per_second", "Ten-second average of the request rate, all edge instances.", "room");
    private readonly Gauge AdmitRate = Metrics.CreateGauge("waitingroom_admit_rate_per_second", "Admissions per second (about one minute's average), the basis of the ETA.", "room");
    private readonly Gauge LastAdmission = Metrics.CreateGauge("waitingroom_last_admission_run_timestamp_seconds", "When the admission batch last ran (Unix seconds).", "room");
    private readonly Gauge Stalled = Metrics.CreateGauge("waitingroom_admission_stalled", "1 while people wait, capacity is free and no admission ran for two ticks.", "room");
    private readonly Gauge Revoked = Metrics.CreateGauge("waitingroom_revoked_admissions", "Ended admissions whose cookies this instance refuses (held until those cookies expire).", "room");
    private readonly Counter Transitions = Metrics.CreateCounter("waitingroom_switch_transitions_total", "Queue switch transitions made by this instance, by reason.", "room", "reason", "to");
    private readonly Counter Admitted = Metrics.CreateCounter("waitingroom_admitted_total", "Visitors admitted by this instance's batches.", "room");
    private readonly Counter Abandoned = Metrics.CreateCounter("waitingroom_abandoned_total", "Visitors removed by this instance's reaper for not being seen.", "room");
    private readonly Counter Expired = Metrics.CreateCounter("waitingroom_sessions_expired_total", "Active sessions dropped for running past their expiry.", "room");
    private readonly Counter Ended = Metrics.CreateCounter("waitingroom_sessions_ended_total", "Active sessions ended by a backend command through this instance.", "room");
    private readonly Counter EndFailures = Metrics.CreateCounter(
        "waitingroom_session_end_failures_total", "Backend end-session commands this instance could not carry out (Redis failed): those sessions end by expiry.", "room");
    private readonly Counter AdmitRuns = Metrics.CreateCounter("waitingroom_admission_runs_total", "Admission batches run by this instance, by trigger (tick, freed) and result (ran, fenced, failed).", "room", "trigger", "result");
    private readonly Histogram WaitSeconds = Metrics.CreateHistogram(
        "waitingroom_wait_seconds", "Time in queue of admitted visitors.",
        new HistogramConfiguration { LabelNames = ["room"], Buckets = WaitBuckets.BoundsInSeconds });
    private readonly Histogram AdmitDuration = Metrics.CreateHistogram(
        "waitingroom_admit_batch_seconds", "Round-trip time of the admit batch script.",
        new HistogramConfiguration { LabelNames = ["room"], Buckets = Histogram.ExponentialBuckets(0.0005, 2, 14) });

    private readonly Gauge Prequeue = Metrics.CreateGauge("waitingroom_prequeue", "Visitors in the scheduled sale's pre-queue (until the draw).", "room");
    private readonly Gauge SaleDrawn = Metrics.CreateGauge("waitingroom_sale_drawn", "1 once the room's scheduled sale was drawn, 0 before; absent without a sale.", "room");
    private readonly Counter Draws = Metrics.CreateCounter("waitingroom_sale_draws_total", "Sale draw calls by this instance, by outcome (Drawn, AlreadyDrawn, Fenced, Incomplete, NotDue).", "room", "outcome");
    private readonly Histogram DrawDuration = Metrics.CreateHistogram(
        "waitingroom_sale_draw_seconds", "Wall time of a sale draw that was swapped in (freeze, read, order, stage, swap).",
        new HistogramConfiguration { LabelNames = ["room"], Buckets = Histogram.ExponentialBuckets(0.01, 2, 12) });

    private readonly Gauge InventoryRemaining = Metrics.CreateGauge("waitingroom_inventory_remaining", "What the protected API (or an operator) last said is left to sell; absent while unknown.", "room");
    private readonly Gauge SoldOut = Metrics.CreateGauge("waitingroom_sold_out", "1 while the room's inventory is known and nothing is left.", "room");
    private readonly Gauge NetworksAtCap = Metrics.CreateGauge(
        "waitingroom_networks_at_cap", "Client networks (/24, /64) holding the room's MaxPlacesPerNetwork waiting places, as the last reap saw it.", "room");
    private readonly Counter InventoryRefusals = Metrics.CreateCounter("waitingroom_inventory_refused_total", "X-WaitingRoom-Inventory response headers ignored: not one non-negative integer.", "room");

    public void InventoryRefused(string room) => InventoryRefusals.WithLabels(room).Inc();

    public void Draw(string room, Scheduling.DrawResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Draws.WithLabels(room, result.Outcome.ToString()).Inc();
        if (result.Outcome == Scheduling.DrawOutcome.Drawn)
        {
            DrawDuration.WithLabels(room).Observe(result.Elapsed.TotalSeconds);
        }
    }

    public void SetRevoked(string room, int count) => Revoked.WithLabels(room).Set(count);

    public void Observe(string room, RoomSnapshot snapshot, int maxActive)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        QueueOn.WithLabels(room).Set(snapshot.Switch.QueueOn ? 1 : 0);
        foreach (var mode in Enum.GetNames<Options.RoomMode>())
        {
            Mode.WithLabels(room, mode).Set(mode == snapshot.Mode.ToString() ? 1 : 0);
        }

        Waiting.WithLabels(room).Set(snapshot.Waiting);
        Active.WithLabels(room).Set(snapshot.Active);
        MaxActive.WithLabels(room).Set(maxActive);
        Rate.WithLabels(room).Set(snapshot.RateLastSecond);
        Rate10.WithLabels(room).Set(snapshot.RateTenSeconds);
        AdmitRate.WithLabels(room).Set(snapshot.AdmitRate);
        if (snapshot.LastAdmissionRun is { } run)
        {
            LastAdmission.WithLabels(room).Set(run.ToUnixTimeMilliseconds() / 1000d);
        }

        Prequeue.WithLabels(room).Set(snapshot.Sale?.InPrequeue ?? 0);
        SoldOut.WithLabels(room).Set(snapshot.SoldOut ? 1 : 0);
        if (snapshot.Inventory is { } inventory)
        {
            InventoryRemaining.WithLabels(room).Set(inventory.Remaining);
        }
        else
        {
            InventoryRemaining.RemoveLabelled(room);
        }
        if (snapshot.Sale is { } sale)
        {
            SaleDrawn.WithLabels(room).Set(sale.DrawnAt is null ? 0 : 1);
        }
    }

    /// <summary>Publishes a room's counters at zero from the start, so dashboards show 0 rather than "no data".</summary>
    public void Prepare(string room)
    {
        Admitted.WithLabels(room).Inc(0);
        Abandoned.WithLabels(room).Inc(0);
        Expired.WithLabels(room).Inc(0);
        Ended.WithLabels(room).Inc(0);
        EndFailures.WithLabels(room).Inc(0);
    }

    public void SetStalled(string room, bool stalled) => Stalled.WithLabels(room).Set(stalled ? 1 : 0);

    public void Transition(string room, SwitchState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Transitions.WithLabels(room, state.Reason, state.QueueOn ? "on" : "off").Inc();
    }

    public void AdmissionRun(string room, string trigger, string result) => AdmitRuns.WithLabels(room, trigger, result).Inc();

    public void Batch(string room, AdmitResult result, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(result);
        AdmitDuration.WithLabels(room).Observe(duration.TotalSeconds);
        Admitted.WithLabels(room).Inc(result.Admitted);
        Expired.WithLabels(room).Inc(result.Expired);
        var histogram = WaitSeconds.WithLabels(room);
        foreach (var bucket in result.Waits)
        {
            if (bucket.Count > 0)
            {
                // Each bucket's mean lands in that bucket: bucket counts exact, sum exact.
                histogram.Observe(bucket.Total.TotalSeconds / bucket.Count, bucket.Count);
            }
        }
    }

    public void Reaped(string room, int count) => Abandoned.WithLabels(room).Inc(count);

    /// <summary>How many client networks hold the room's cap of waiting places (every reap tells it).</summary>
    public void NetworksAtTheCap(string room, long networks) => NetworksAtCap.WithLabels(room).Set(networks);

    public void SessionEnded(string room) => Ended.WithLabels(room).Inc();

    public void SessionEndFailed(string room) => EndFailures.WithLabels(room).Inc();
}
