using YarpWaitingRoom.Hosting;
using RedLockNet;
using YarpWaitingRoom.Yarp.Diagnostics;
using YarpWaitingRoom.Yarp.Rooms;
using YarpWaitingRoom.Switch;

namespace YarpWaitingRoom.Yarp.Switching;

/// <summary>
/// Once a second, shortly after the second turns (when every instance has flushed its counts), the instance holding a
/// room's switch lease reads the edge tier's last ten seconds of traffic and the waiting count, runs
/// <see cref="QueueSwitch.Evaluate"/> and writes the result by compare-and-set. Transitions are announced on the room's
/// channel (every instance refreshes at once), appended as <c>switched</c> events, counted and logged with their reason.
/// The lease is a RedLock held across ticks and extended in the background; a holder that loses it stops evaluating.
/// Each room has its own loop and asks for a lease held elsewhere once per second (<see cref="LeaseLocks"/>), so a room's
/// second is never evaluated late because of another room: a slow room, or leases split between proxies (RedLock's
/// default, three attempts up to 400 ms apart per lease held elsewhere, made one turn over every room take seconds, and a
/// five-second spike passed between two evaluations of its room).
/// </summary>
internal sealed partial class SwitchEvaluator(
    RoomRegistry rooms,
    [FromKeyedServices(SwitchEvaluator.LeaseLocks)] IDistributedLockFactory locks,
    RoomMetrics metrics,
    TimeProvider timeProvider,
    ILogger<SwitchEvaluator> logger) : BackgroundService
{
    /// <summary>The service key of the switch's lock factory: one attempt per lease (admission's retries).</summary>
    public const string LeaseLocks = "waiting-room:switch-leases";

    /// <summary>How far past the second's turn to evaluate: the flushers write at +5 ms.</summary>
    public static readonly TimeSpan EvaluateAfterTurn = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a lease lives without extension (a crashed holder is replaced after this).</summary>
    public static readonly TimeSpan LeaseExpiry = TimeSpan.FromSeconds(3);

    public const int AverageSeconds = 10;

    /// <summary>How long stopping waits to hand the leases back (otherwise they expire after <see cref="LeaseExpiry"/>).</summary>
    public static readonly TimeSpan ReleaseOnStop = TimeSpan.FromSeconds(1);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(rooms.All.Select(room => RunRoomAsync(room, stoppingToken)));

    private async Task RunRoomAsync(Room room, CancellationToken stoppingToken)
    {
        IRedLock? lease = null;
        var turn = Task.FromResult<IRedLock?>(null);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await DelayToNextTurnAsync(stoppingToken);
                turn = TurnAsync(room, lease);
                lease = await turn.WaitOrAbandonAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            // Hand the lease back so another proxy takes the switch over at once, after the turn in flight (it alone
            // touches the lease); with Redis unreachable, give up after a moment: the lease expires by itself.
            try
            {
                await ReleaseAfterAsync(turn).WaitAsync(ReleaseOnStop, timeProvider, CancellationToken.None);
            }
            catch (TimeoutException)
            {
                Log.LeaseNotReleased(logger, room.Name, ReleaseOnStop.TotalSeconds);
            }
        }
    }

    /// <summary>One turn of one room: evaluated if this instance holds (or now takes) its lease. Never throws; returns the lease.</summary>
    private async Task<IRedLock?> TurnAsync(Room room, IRedLock? lease)
    {
        try
        {
            lease = await HeldLeaseAsync(room, lease);
            if (lease is not null)
            {
                await EvaluateAsync(room);
            }
        }
        catch (Exception ex)
        {
            Log.EvaluationFailed(logger, room.Name, ex);
        }

        return lease;
    }

    /// <summary>Hands back the lease the last turn left (the one in flight may have just taken or dropped it).</summary>
    private static async Task ReleaseAfterAsync(Task<IRedLock?> turn)
    {
        if (await turn is { } lease)
        {
            await lease.DisposeAsync();
        }
    }

    /// <summary>The lease this instance holds for <paramref name="room"/> after one look (one attempt to take it when it holds none).</summary>
    private async Task<IRedLock?> HeldLeaseAsync(Room room, IRedLock? lease)
    {
        if (lease is not null)
        {
            if (lease.IsAcquired)
            {
                return lease;
            }

            await lease.DisposeAsync();
        }

        var fresh = await locks.CreateLockAsync(room.Queue.Keys.Lock("switch"), LeaseExpiry);
        if (!fresh.IsAcquired)
        {
            await fresh.DisposeAsync();
            return null;
        }

        return fresh;
    }

    internal async Task EvaluateAsync(Room room)
    {
        var now = timeProvider.GetUtcNow();
        var rates = await room.Switch.ReadRatesAsync(now.ToUnixTimeSeconds() - 1, AverageSeconds);
        var current = await room.Switch.ReadAsync(now);
        var sample = new TrafficSample(rates[0], rates.Average(), current.Waiting);
        var next = QueueSwitch.Evaluate(current.Switch, room.Options, current.Mode, sample, now);
        var announce = next.QueueOn != current.Switch.QueueOn ? SwitchStore.Announce.Transition
            : next.Reason != current.Switch.Reason ? SwitchStore.Announce.Message
            : SwitchStore.Announce.None;
        var call = room.BeginStateCall();
        if (!await room.Switch.TryWriteAsync(current.Version, current.Mode, next, sample.LastSecond, sample.TenSecondAverage, announce, now))
        {
            // An operator changed the mode meanwhile: their write stands; evaluate again next second.
            return;
        }

        room.Publish(call, current with
        {
            Version = current.Version + 1,
            Switch = next,
            RateLastSecond = sample.LastSecond,
            RateTenSeconds = sample.TenSecondAverage,
        });
        if (announce == SwitchStore.Announce.Transition)
        {
            metrics.Transition(room.Name, next);
            Log.Transition(logger, room.Name, next.QueueOn ? "ON" : "OFF", next.Reason, sample.LastSecond, sample.TenSecondAverage, sample.Waiting);
        }
    }

    private Task DelayToNextTurnAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var intoSecond = TimeSpan.FromTicks(now.UtcTicks % TimeSpan.TicksPerSecond);
        var wait = EvaluateAfterTurn - intoSecond;
        if (wait <= TimeSpan.Zero)
        {
            wait += TimeSpan.FromSeconds(1);
        }

        return Task.Delay(wait, timeProvider, cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.SwitchTransition, LogLevel.Warning,
            "Room {Room}: queue {To} ({Reason}); last second {LastSecond}/s, 10-s average {Average}/s, {Waiting} waiting")]
        public static partial void Transition(ILogger logger, string room, string to, string reason, double lastSecond, double average, long waiting);

        [LoggerMessage(EventIds.SwitchEvaluationFailed, LogLevel.Warning, "Room {Room}: switch evaluation failed; evaluating again next second")]
        public static partial void EvaluationFailed(ILogger logger, string room, Exception exception);

        [LoggerMessage(EventIds.SwitchLeasesNotReleased, LogLevel.Warning,
            "Room {Room}: switch lease not handed back within {Seconds} s of stopping (Redis not answering); it expires by itself")]
        public static partial void LeaseNotReleased(ILogger logger, string room, double seconds);
    }
}
