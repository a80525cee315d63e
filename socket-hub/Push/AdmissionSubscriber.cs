using StackExchange.Redis;
using YarpWaitingRoom.SocketHub.Diagnostics;
using YarpWaitingRoom.SocketHub.Sessions;

namespace YarpWaitingRoom.SocketHub.Push;

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
                room.Queue.Keys.Notify, (_, message) => OnMessage(room, message), ex => Log.SubscribeFailed(logger, room.Name, ex.Message),
                TimeSpan.FromSeconds(1), timeProvider, stoppingToken);
        }
    }

    private void OnMessage(RoomContext room, RedisValue message)
    {
        var text = (string?)message;
        if (text is null || !text.StartsWith("admitted|", StringComparison.Ordinal))
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await notifier.OnBatchAsync(room, text);
            }
            catch (Exception ex)
            {
                Log.NoticeFailed(logger, room.Name, ex.Message);
            }
        });
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.SubscribeFailed, LogLevel.Warning, "Room {Room}: subscribing to admissions failed ({Message}); retrying")]
        public static partial void SubscribeFailed(ILogger logger, string room, string message);

        [LoggerMessage(EventIds.BatchNotHandled, LogLevel.Error, "Room {Room}: admission batch not handled ({Message})")]
        public static partial void NoticeFailed(ILogger logger, string room, string message);
    }
}
