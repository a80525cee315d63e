using YarpWaitingRoom.Hosting;
using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Yarp.Diagnostics;

namespace YarpWaitingRoom.Yarp.Rooms;

/// <summary>
/// Keeps every room's cached <see cref="Room.Snapshot"/> fresh: a poll once a second, and at once when the room's channel
/// announces a state change. Keeps every room's <see cref="Room.Revoked"/> set: at once from the channel's
/// <c>revoked</c> messages, and by reading the room's revocation log from where it left off in the same 1-second poll
/// (the whole log that still matters on start), so a lost message or a restart misses nothing. Relays <c>freed</c>
/// messages to the admission scheduler, publishes the gauges, and watches admission liveness (people waiting, capacity
/// free, no admission for two ticks: the classic silently stuck queue).
/// </summary>
internal sealed partial class RoomMonitor(
    RoomRegistry rooms,
    IConnectionMultiplexer redis,
    AdmissionSignal admissionSignal,
    RoomMetrics metrics,
    TimeProvider timeProvider,
    ILogger<RoomMonitor> logger) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private DateTimeOffset _startedAt;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _startedAt = timeProvider.GetUtcNow();
        var subscriber = redis.GetSubscriber();
        foreach (var room in rooms.All)
        {
            metrics.Prepare(room.Name);
            await subscriber.SubscribeWithRetryAsync(
                room.Queue.Keys.Notify, (_, message) => OnMessage(room, message), ex => Log.SubscribeFailed(logger, room.Name, ex),
                PollInterval, timeProvider, stoppingToken);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            foreach (var room in rooms.All)
            {
                // Stopping does not wait for a command Redis may never answer; the refresh itself never throws.
                await RefreshAsync(room).WaitOrAbandonAsync(stoppingToken);
                await SyncRevokedAsync(room).WaitOrAbandonAsync(stoppingToken);
            }

            await Task.Delay(PollInterval, timeProvider, stoppingToken);
        }
    }

    private void OnMessage(Room room, RedisValue message)
    {
        if (!RoomNotice.TryParse(message, out var notice))
        {
            return;
        }

        switch (notice.Kind)
        {
            case RoomNoticeKind.Freed:
                admissionSignal.CapacityFreed(room.Name);
                break;
            case RoomNoticeKind.State or RoomNoticeKind.Sale:
                _ = RefreshAsync(room);
                break;
            case RoomNoticeKind.Stock:
                _ = RestockAsync(room);
                break;
            case RoomNoticeKind.Revoked:
                foreach (var ticket in notice.Tickets)
                {
                    room.Revoked.Add(ticket, notice.Number);
                }

                break;
        }
    }

    /// <summary>Reads the room's revocation log from where the last read left off, and forgets what has expired.</summary>
    internal async Task SyncRevokedAsync(Room room)
    {
        var nowMs = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        try
        {
            var from = room.Revoked.PollFromMs(nowMs);
            room.Revoked.AddPolled(await room.Queue.RevokedSinceAsync(from), from);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.RevokedSyncFailed(logger, room.Name, ex);
        }

        room.Revoked.Prune(nowMs);
        metrics.SetRevoked(room.Name, room.Revoked.Count);
    }

    /// <summary>The room became sold out or stopped being: read it now, and when seats came back, admit at once.</summary>
    private async Task RestockAsync(Room room)
    {
        await RefreshAsync(room);
        if (!room.Snapshot.SoldOut)
        {
            admissionSignal.CapacityFreed(room.Name);
        }
    }

    internal async Task RefreshAsync(Room room)
    {
        var now = timeProvider.GetUtcNow();
        try
        {
            var call = room.BeginStateCall();
            var snapshot = await room.Switch.ReadAsync(now);
            room.Publish(call, snapshot);
            metrics.Observe(room.Name, room.Snapshot, room.Snapshot.MaxActiveOf(room.Options));
            CheckLiveness(room, now);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.RefreshFailed(logger, room.Name, ex);
        }
    }

    private void CheckLiveness(Room room, DateTimeOffset now)
    {
        var snapshot = room.Snapshot;
        var lastRun = snapshot.LastAdmissionRun ?? _startedAt;
        var overdue = now - lastRun > room.Options.AdmitInterval * 2 + PollInterval;
        var stalled = overdue
            && snapshot.Waiting > 0
            && snapshot.Active < snapshot.MaxActiveOf(room.Options)
            && snapshot.Mode != RoomMode.Paused;
        var was = room.AdmissionStalledSince;
        if (stalled && was is null)
        {
            room.AdmissionStalledSince = lastRun;
            Log.AdmissionStalled(logger, room.Name, snapshot.Waiting, snapshot.Active, lastRun);
        }
        else if (!stalled && was is not null)
        {
            room.AdmissionStalledSince = null;
            Log.AdmissionResumed(logger, room.Name);
        }

        metrics.SetStalled(room.Name, stalled);
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.StateRefreshFailed, LogLevel.Warning, "Room {Room}: state refresh failed; keeping the last known state")]
        public static partial void RefreshFailed(ILogger logger, string room, Exception exception);

        [LoggerMessage(EventIds.SubscribeFailed, LogLevel.Warning, "Room {Room}: subscribing to the room's channel failed; the 1-s poll keeps the state fresh meanwhile, retrying")]
        public static partial void SubscribeFailed(ILogger logger, string room, Exception exception);

        [LoggerMessage(EventIds.AdmissionStuck, LogLevel.Error,
            "Room {Room}: admission stalled: {Waiting} waiting, {Active} active, capacity free, no admission since {LastRun:O}")]
        public static partial void AdmissionStalled(ILogger logger, string room, long waiting, long active, DateTimeOffset lastRun);

        [LoggerMessage(EventIds.AdmissionResumed, LogLevel.Information, "Room {Room}: admission running again")]
        public static partial void AdmissionResumed(ILogger logger, string room);

        [LoggerMessage(EventIds.RevokedSyncFailed, LogLevel.Warning, "Room {Room}: reading the revocation log failed; retrying within a second")]
        public static partial void RevokedSyncFailed(ILogger logger, string room, Exception exception);
    }
}
