using YarpWaitingRoom.Hosting;
using StackExchange.Redis;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Hub.Diagnostics;
using YarpWaitingRoom.Hub.Sessions;

namespace YarpWaitingRoom.Hub.Push;

/// <summary>
/// One Pub/Sub subscription per room for the whole hub (never a channel per visitor): every admission batch arrives as
/// one message and is fanned out to the local sessions by <see cref="AdmissionNotifier"/>; a change of the room's sale
/// (its draw) makes a push tick at once (<see cref="PositionPusher.PushSoonAsync"/>).
/// </summary>
internal sealed partial class AdmissionSubscriber(
    RoomDirectory rooms,
    IConnectionMultiplexer redis,
    AdmissionNotifier notifier,
    PositionPusher pusher,
    TimeProvider timeProvider,
    ILogger<AdmissionSubscriber> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var subscriber = redis.GetSubscriber();
        foreach (var room in rooms.All)
        {
            await subscriber.SubscribeWithRetryAsync(
                room.Queue.Keys.Notify, (_, message) => OnMessage(room, message), ex => Log.SubscribeFailed(logger, room.Name, ex),
                TimeSpan.FromSeconds(1), timeProvider, stoppingToken);
        }
    }

    private void OnMessage(RoomContext room, RedisValue message)
    {
        if (!RoomNotice.TryParse(message, out var notice))
        {
            return;
        }

        // Off the subscriber's thread: one slow batch never holds up the room's other messages.
        if (notice.Kind == RoomNoticeKind.Admitted)
        {
            _ = Task.Run(() => notifier.OnBatchAsync(room, notice.Tickets));
        }
        else if (notice.Kind is RoomNoticeKind.Sale or RoomNoticeKind.Stock)
        {
            // The sale changed (drawn, most of all), or the room became sold out or stopped being: a push tick now places
            // the pre-queue sessions, tells the waiting, and sends every place.
            _ = Task.Run(() => pusher.PushSoonAsync(room));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.SubscribeFailed, LogLevel.Warning, "Room {Room}: subscribing to admissions failed; retrying")]
        public static partial void SubscribeFailed(ILogger logger, string room, Exception exception);
    }
}
