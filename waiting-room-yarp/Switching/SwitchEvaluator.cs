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
/// </summary>
internal sealed partial class SwitchEvaluator(
    RoomRegistry rooms,
    IDistributedLockFactory locks,
    RoomMetrics metrics,
    TimeProvider timeProvider,
    ILogger<SwitchEvaluator> logger) : BackgroundService
{
    /// <summary>How far past the second's turn to evaluate: the flushers write at +5 ms.</summary>
    public static readonly TimeSpan EvaluateAfterTurn = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a lease lives without extension (a crashed holder is replaced after this).</summary>
    public static readonly TimeSpan LeaseExpiry = TimeSpan.FromSeconds(3);

    public const int AverageSeconds = 10;

    /// <summary>How long stopping waits to hand the leases back (otherwise they expire after <see cref="LeaseExpiry"/>).</summary>
    public static readonly TimeSpan ReleaseOnStop = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, IRedLock> _leases = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var turn = Task.CompletedTask;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await DelayToNextTurnAsync(stoppingToken);
                turn = EvaluateRoomsAsync();
                await turn.WaitOrAbandonAsync(stoppingToken);
            }
        }
        finally
        {
            // Hand the leases back so another proxy takes the switch over at once, after the turn in flight (it alone
            // touches the leases); with Redis unreachable, give up after a moment: the leases expire by themselves.
            try
            {
                await ReleaseLeasesAfterAsync(turn).WaitAsync(ReleaseOnStop, timeProvider, CancellationToken.None);
            }
            catch (TimeoutException)
            {
                Log.LeasesNotReleased(logger, ReleaseOnStop.TotalSeconds);
            }
        }
    }

    /// <summary>One turn: every room whose lease this instance holds is evaluated. Never throws.</summary>
    private async Task EvaluateRoomsAsync()
    {
        foreach (var room in rooms.All)
        {
            try
            {
                if (await HoldsLeaseAsync(room))
                {
                    await EvaluateAsync(room);
                }
            }
            catch (Exception ex)
            {
                Log.EvaluationFailed(logger, room.Name, ex);
            }
        }
    }

    private async Task ReleaseLeasesAfterAsync(Task turn)
    {
        await turn;
        foreach (var lease in _leases.Values)
        {
            await lease.DisposeAsync();
        }

        _leases.Clear();
    }

    private async Task<bool> HoldsLeaseAsync(Room room)
    {
        if (_leases.TryGetValue(room.Name, out var lease))
        {
            if (lease.IsAcquired)
            {
                return true;
            }

            await lease.DisposeAsync();
            _leases.Remove(room.Name);
        }

        var fresh = await locks.CreateLockAsync(room.Queue.Keys.Lock("switch"), LeaseExpiry);
        if (!fresh.IsAcquired)
        {
            await fresh.DisposeAsync();
            return false;
        }

        _leases[room.Name] = fresh;
        return true;
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
            "Switch leases not handed back within {Seconds} s of stopping (Redis not answering); they expire by themselves")]
        public static partial void LeasesNotReleased(ILogger logger, double seconds);
    }
}
