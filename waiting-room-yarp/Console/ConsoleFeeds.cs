using System.Collections.Concurrent;
using StackExchange.Redis;
using YarpWaitingRoom.Hosting;
using YarpWaitingRoom.Traffic;
using YarpWaitingRoom.Yarp.Diagnostics;
using YarpWaitingRoom.Yarp.Endpoints;
using YarpWaitingRoom.Yarp.Rooms;

namespace YarpWaitingRoom.Yarp.Console;

/// <summary>
/// The console's live views on this proxy, one per room, made when first watched (<see cref="ConsoleFeed"/>). From the
/// start (when any operator key is configured) it listens on <see cref="AdminSessions.EndedChannel"/>, so a sign-out on
/// any proxy ends that session's live views here at once; each feed's own session check is the fallback for a notice
/// that never came (Redis unreachable at the sign-out, or while this proxy was subscribing).
/// </summary>
internal sealed partial class ConsoleFeeds(
    IConnectionMultiplexer redis,
    AdminKey keys,
    TrafficStore traffic,
    AdminSessions sessions,
    TimeProvider timeProvider,
    ILoggerFactory loggers,
    IHostApplicationLifetime lifetime) : IHostedService
{
    private static readonly TimeSpan SubscribeRetry = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, ConsoleFeed> _feeds = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger<ConsoleFeeds>();

    /// <summary>The proxy is stopping: every stream ends.</summary>
    public CancellationToken Stopping => lifetime.ApplicationStopping;

    /// <summary>Subscribes in the background: a proxy starts while Redis is unreachable, and retries meanwhile.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (keys.Configured)
        {
            _ = redis.GetSubscriber().SubscribeWithRetryAsync(
                AdminSessions.EndedChannel, (_, message) => OnSessionEnded(message), ex => Log.SubscribeFailed(_logger, ex),
                SubscribeRetry, timeProvider, lifetime.ApplicationStopping);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The live view of <paramref name="room"/>.</summary>
    public ConsoleFeed For(Room room)
    {
        ArgumentNullException.ThrowIfNull(room);
        return _feeds.GetOrAdd(
            room.Name,
            _ => new ConsoleFeed(room, traffic, sessions, timeProvider, loggers.CreateLogger<ConsoleFeed>(), lifetime.ApplicationStopping));
    }

    /// <summary>A sign-out on some proxy: that session's watchers here end now. Anything but a session id is ignored.</summary>
    internal void OnSessionEnded(RedisValue message)
    {
        var sessionId = (string?)message;
        if (!AdminSessions.IsSessionId(sessionId))
        {
            return;
        }

        foreach (var feed in _feeds.Values)
        {
            feed.EndSession(sessionId!, "signed-out");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.SubscribeFailed, LogLevel.Warning, "Subscribing to the console's sign-out notices failed; open live views end at their session check meanwhile, retrying")]
        public static partial void SubscribeFailed(ILogger logger, Exception exception);
    }
}
