using YarpWaitingRoom.Hosting;
using StackExchange.Redis;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Hub.Diagnostics;
using YarpWaitingRoom.Hub.Sessions;

namespace YarpWaitingRoom.Hub.Push;

/// <summary>
/// One Pub/Sub subscription per room for the whole hub (never a channel per visitor): every admission batch arrives as
/// one message and is fanned out to the local sessions by <see cref="AdmissionNotifier"/>.
/// </summary>
internal sealed partial class AdmissionSubscriber(
    RoomDirectory rooms,
    IConnectionMultiplexer redis,
    AdmissionNotifier notifier,
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
        if (RoomNotice.TryParse(message, out var notice) && notice.Kind == RoomNoticeKind.Admitted)
        {
            // Off the subscriber's thread: one slow batch never holds up the room's other messages.
            _ = Task.Run(() => notifier.OnBatchAsync(room, notice.Tickets));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.SubscribeFailed, LogLevel.Warning, "Room {Room}: subscribing to admissions failed; retrying")]
        public static partial void SubscribeFailed(ILogger logger, string room, Exception exception);
    }
}
