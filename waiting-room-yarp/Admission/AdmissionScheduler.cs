using YarpWaitingRoom.Hosting;
using RedLockNet;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Yarp.Diagnostics;
using YarpWaitingRoom.Yarp.Rooms;

namespace YarpWaitingRoom.Yarp.Admission;

/// <summary>
/// Moves waiting visitors to active: on every AdmitInterval tick (aligned to the wall clock, so all instances tick
/// together and one wins), and at once when capacity frees. Each run takes the room's admission RedLock, draws a
/// fencing number and runs the admit script, which itself enforces MaxActive and refuses stale fences: correctness
/// never rests on the lock alone. Paused rooms admit no one.
/// A room with a scheduled sale is woken at its start, and the run that finds the start passed and the sale not drawn
/// draws it first (<see cref="Scheduling.SaleDraw"/>, under the same lock grant and fence, paused or not: a draw places
/// visitors, it admits none), then admits from the drawn front at once.
/// </summary>
internal sealed partial class AdmissionScheduler(
    RoomRegistry rooms,
    IDistributedLockFactory locks,
    AdmissionSignal signal,
    RoomMetrics metrics,
    TimeProvider timeProvider,
    ILogger<AdmissionScheduler> logger) : BackgroundService
{
    /// <summary>How long an admission lock lives if its holder dies mid-run.</summary>
    public static readonly TimeSpan LockExpiry = TimeSpan.FromSeconds(10);

    /// <summary>Pause after a capacity-freed run, so a burst of freed slots is admitted in one batch.</summary>
    public static readonly TimeSpan CoalesceFreed = TimeSpan.FromMilliseconds(50);

    /// <summary>How long after a sale's start the scheduler wakes to draw it.</summary>
    public static readonly TimeSpan StartMargin = TimeSpan.FromMilliseconds(5);

    private const string Tick = "tick";
    private const string Freed = "freed";

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(rooms.All.Select(room => RunRoomAsync(room, stoppingToken)));

    private async Task RunRoomAsync(Room room, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var trigger = await NextTriggerAsync(room, stoppingToken);
            // The batch is one atomic script and the lock expires by itself: stopping need not wait for Redis to answer.
            await RunOnceAsync(room, trigger).WaitOrAbandonAsync(stoppingToken);
            if (trigger == Freed)
            {
                await Task.Delay(CoalesceFreed, timeProvider, stoppingToken);
            }
        }
    }

    private async Task<string> NextTriggerAsync(Room room, CancellationToken stoppingToken)
    {
        var interval = room.Options.AdmitInterval;
        var now = timeProvider.GetUtcNow();
        var intoInterval = TimeSpan.FromTicks(now.UtcTicks % interval.Ticks);
        var wait = interval - intoInterval;
        if (room.Snapshot.Sale is { DrawnAt: null } sale && sale.StartsAt > now && sale.StartsAt - now < wait)
        {
            // The sale starts before the next tick: wake at the start (a hair after it, so the scripts see it has come).
            wait = sale.StartsAt - now + StartMargin;
        }

        using var race = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var tick = Task.Delay(wait, timeProvider, race.Token);
        var freed = signal.WaitAsync(room.Name, race.Token);
        var first = await Task.WhenAny(tick, freed);
        await race.CancelAsync();
        stoppingToken.ThrowIfCancellationRequested();
        return first == freed && freed.IsCompletedSuccessfully ? Freed : Tick;
    }

    internal async Task RunOnceAsync(Room room, string trigger)
    {
        var drawDue = room.Snapshot.Sale?.DueAt(timeProvider.GetUtcNow()) == true;
        if (room.Snapshot.Mode == RoomMode.Paused && !drawDue)
        {
            metrics.AdmissionRun(room.Name, trigger, "paused");
            return;
        }

        try
        {
            await using var grant = await locks.CreateLockAsync(room.Queue.Keys.Lock("admit"), LockExpiry);
            if (!grant.IsAcquired)
            {
                metrics.AdmissionRun(room.Name, trigger, "busy");
                return;
            }

            var fence = 0L;
            if (drawDue)
            {
                fence = await room.Queue.NextFenceAsync();
                await DrawAsync(room, fence);
                if (room.Snapshot.Mode == RoomMode.Paused)
                {
                    metrics.AdmissionRun(room.Name, trigger, "paused");
                    return;
                }
            }
            else if (trigger == Tick && await RanThisTickAsync(room))
            {
                metrics.AdmissionRun(room.Name, trigger, "done-elsewhere");
                return;
            }

            fence = fence > 0 ? fence : await room.Queue.NextFenceAsync();
            var started = timeProvider.GetTimestamp();
            var result = await room.Queue.AdmitAsync(fence);
            metrics.Batch(room.Name, result, timeProvider.GetElapsedTime(started));
            metrics.AdmissionRun(room.Name, trigger, result.Fenced ? "fenced" : "ran");
            if (result.Admitted > 0 || result.Expired > 0)
            {
                Log.Batch(logger, room.Name, trigger, result.Admitted, result.Expired, result.Waiting, result.Active);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            metrics.AdmissionRun(room.Name, trigger, "failed");
            Log.Failed(logger, room.Name, ex);
        }
    }

    /// <summary>Draws the room's sale under lock grant <paramref name="fence"/>; the admission that follows uses the same grant.</summary>
    private async Task DrawAsync(Room room, long fence)
    {
        var result = await room.Queue.Draw.DrawAsync(fence);
        metrics.Draw(room.Name, result);
        if (result.Outcome == Scheduling.DrawOutcome.Drawn)
        {
            Log.Drawn(logger, room.Name, result.Participants, result.Elapsed.TotalMilliseconds);
        }
        else if (result.Outcome is Scheduling.DrawOutcome.Fenced or Scheduling.DrawOutcome.Incomplete)
        {
            Log.DrawNotSwapped(logger, room.Name, result.Outcome);
        }
    }

    /// <summary>Whether another instance already ran this tick's batch (clocks a few milliseconds apart).</summary>
    private async Task<bool> RanThisTickAsync(Room room)
    {
        var snapshot = await room.Switch.ReadAsync(timeProvider.GetUtcNow());
        return snapshot.LastAdmissionRun is { } last && timeProvider.GetUtcNow() - last < room.Options.AdmitInterval / 2;
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.AdmissionBatch, LogLevel.Information,
            "Room {Room}: admitted {Admitted} ({Trigger}), {Expired} sessions expired; {Waiting} waiting, {Active} active")]
        public static partial void Batch(ILogger logger, string room, string trigger, int admitted, int expired, long waiting, long active);

        [LoggerMessage(EventIds.SaleDrawn, LogLevel.Information, "Room {Room}: sale drawn: {Participants} participants placed in {Milliseconds} ms")]
        public static partial void Drawn(ILogger logger, string room, int participants, double milliseconds);

        [LoggerMessage(EventIds.SaleDrawNotSwapped, LogLevel.Warning, "Room {Room}: sale draw not swapped in ({Outcome}); the next run draws again")]
        public static partial void DrawNotSwapped(ILogger logger, string room, Scheduling.DrawOutcome outcome);

        [LoggerMessage(EventIds.AdmissionFailed, LogLevel.Warning, "Room {Room}: admission failed; retrying at the next tick")]
        public static partial void Failed(ILogger logger, string room, Exception exception);
    }
}
