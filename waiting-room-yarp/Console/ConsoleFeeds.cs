using System.Collections.Concurrent;
using YarpWaitingRoom.Traffic;
using YarpWaitingRoom.Yarp.Rooms;

namespace YarpWaitingRoom.Yarp.Console;

/// <summary>The console's live views on this proxy, one per room, made when first watched (<see cref="ConsoleFeed"/>).</summary>
internal sealed class ConsoleFeeds(
    TrafficStore traffic, AdminSessions sessions, TimeProvider timeProvider, ILoggerFactory loggers, IHostApplicationLifetime lifetime)
{
    private readonly ConcurrentDictionary<string, ConsoleFeed> _feeds = new(StringComparer.Ordinal);

    /// <summary>The proxy is stopping: every stream ends.</summary>
    public CancellationToken Stopping => lifetime.ApplicationStopping;

    /// <summary>The live view of <paramref name="room"/>.</summary>
    public ConsoleFeed For(Room room)
    {
        ArgumentNullException.ThrowIfNull(room);
        return _feeds.GetOrAdd(
            room.Name,
            _ => new ConsoleFeed(room, traffic, sessions, timeProvider, loggers.CreateLogger<ConsoleFeed>(), lifetime.ApplicationStopping));
    }
}
