using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading.Channels;
using StackExchange.Redis;
using YarpWaitingRoom.Events;
using YarpWaitingRoom.Hosting;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Traffic;
using YarpWaitingRoom.Yarp.Contracts;
using YarpWaitingRoom.Yarp.Diagnostics;
using YarpWaitingRoom.Yarp.Endpoints;
using YarpWaitingRoom.Yarp.Rooms;

namespace YarpWaitingRoom.Yarp.Console;

/// <summary>
/// One room's live view on this proxy, shared by every operator watching it here: while anyone watches, one loop makes
/// one frame a second and hands the same bytes to each watcher (<see cref="Watch"/>), so ten operators cost what one
/// does. Its Redis work does not grow with traffic either: the state is the room's snapshot this proxy keeps anyway
/// (<see cref="Room.Snapshot"/>); each tick reads the timeline's new entries (timeline.lua) and one second of per-route
/// counters (the last minute is kept here); the admission stats, entry tally and networks are read every
/// <see cref="FiguresEvery"/> ticks. When the first watcher comes it reads the last 15 minutes of rates, the last minute
/// of route counters and the recent timeline once; when the last one leaves it stops.
/// </summary>
internal sealed partial class ConsoleFeed(Room room, TrafficStore traffic, AdminSessions sessions, TimeProvider timeProvider, ILogger logger, CancellationToken stopping)
{
    /// <summary>Seconds of request rate the chart shows.</summary>
    public const int HistorySeconds = 900;

    /// <summary>Timeline entries kept and shown.</summary>
    public const int TimelineShown = 50;

    /// <summary>Most stream entries looked at per read (a mass departure of visitors is skipped over a few ticks).</summary>
    public const int TimelineScan = 2000;

    /// <summary>Seconds of per-route counters the traffic table sums.</summary>
    public const int RouteWindowSeconds = 60;

    /// <summary>Ticks between reads of the admission stats, tally and networks, and between traffic tables sent.</summary>
    public const int FiguresEvery = 5;

    /// <summary>
    /// How often a watcher's session is asked whether it was ended, in case the sign-out's notice
    /// (<see cref="AdminSessions.EndedChannel"/>) never reached this proxy; its expiry is checked every tick. A check
    /// Redis did not answer is asked again at the next tick.
    /// </summary>
    public static readonly TimeSpan SessionCheckInterval = TimeSpan.FromSeconds(15);

    /// <summary>Frames a slow watcher may fall behind by; older ones are dropped (the next tick carries the whole state).</summary>
    private const int WatcherBacklog = 8;

    /// <summary>Route counters are read this many seconds back: every proxy has flushed that second.</summary>
    private const int SettledSeconds = 2;

    private readonly Lock _lock = new();
    private readonly List<Watcher> _watchers = [];
    private readonly LogThrottle _failureLog = new(TimeSpan.FromSeconds(10), timeProvider);
    private readonly LogThrottle _sessionCheckLog = new(TimeSpan.FromSeconds(10), timeProvider);
    private Task? _loop;

    // Only the loop touches these.
    private readonly LinkedList<RatePoint> _history = new();
    private readonly LinkedList<TimelineItem> _timeline = new();
    private readonly LinkedList<(long Second, HashEntry[] Counters)> _seconds = new();
    private string? _lastEventId;
    private long _lastSecond;
    private RoomFigures? _figures;

    /// <summary>Watchers on this proxy right now.</summary>
    public int WatcherCount
    {
        get
        {
            lock (_lock)
            {
                return _watchers.Count;
            }
        }
    }

    /// <summary>A new watcher of the room: its frames start with a <c>hello</c> within a second.</summary>
    public Watcher Watch(AdminOperator watcher)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        var joined = new Watcher(watcher, timeProvider.GetUtcNow() + SessionCheckInterval);
        lock (_lock)
        {
            _watchers.Add(joined);
            _loop ??= Task.Run(RunAsync, CancellationToken.None);
        }

        return joined;
    }

    /// <summary>Ends every watcher of session <paramref name="sessionId"/> here at once (its operator signed out on some proxy).</summary>
    public void EndSession(string sessionId, string reason)
    {
        Watcher[] ended;
        lock (_lock)
        {
            ended = [.. _watchers.Where(w => w.Operator.Session?.Id == sessionId)];
            foreach (var watcher in ended)
            {
                _watchers.Remove(watcher);
            }
        }

        foreach (var watcher in ended)
        {
            watcher.End(EndFrame(reason));
        }
    }

    /// <summary>The watcher went away.</summary>
    public void Leave(Watcher watcher)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        Remove(watcher);
        watcher.Frames.Writer.TryComplete();
    }

    private void Remove(Watcher watcher)
    {
        lock (_lock)
        {
            _watchers.Remove(watcher);
        }
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), timeProvider);
        try
        {
            await FailSoftAsync(BackfillAsync);
            for (var tick = 0L; ; tick++)
            {
                Watcher[] watchers;
                lock (_lock)
                {
                    if (_watchers.Count == 0 || stopping.IsCancellationRequested)
                    {
                        _loop = null;
                        break;
                    }

                    watchers = [.. _watchers];
                }

                foreach (var watcher in watchers.Where(w => !w.Greeted))
                {
                    watcher.Greeted = true;
                    watcher.Send(Frame("hello", new ConsoleHello(room.Name, watcher.Operator.Name, [.. _history], [.. _timeline]), ProxyJsonContext.Default.ConsoleHello));
                }

                byte[]? frame = null;
                await FailSoftAsync(async () => frame = await TickAsync(tick % FiguresEvery == 0));
                foreach (var watcher in watchers)
                {
                    if (frame is not null)
                    {
                        watcher.Send(frame);
                    }

                    await CheckSessionAsync(watcher);
                }

                await timer.WaitForNextTickAsync(stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The proxy is stopping.
        }
        catch (Exception ex)
        {
            // A defect, not Redis (FailSoftAsync takes those): the watchers' streams end without an end frame, so each
            // browser reconnects (the stream's retry) and a new loop starts, instead of a feed that stays silent forever.
            var left = EndLoop();
            Log.FeedCrashed(logger, room.Name, left.Length, ex);
            foreach (var watcher in left)
            {
                watcher.Frames.Writer.TryComplete();
            }

            return;
        }

        if (stopping.IsCancellationRequested)
        {
            foreach (var watcher in EndLoop())
            {
                watcher.End(EndFrame("stopping"));
            }
        }
    }

    /// <summary>The loop is over: every watcher is taken off the feed (the next one to come starts a new loop).</summary>
    private Watcher[] EndLoop()
    {
        lock (_lock)
        {
            Watcher[] left = [.. _watchers];
            _watchers.Clear();
            _loop = null;
            return left;
        }
    }

    /// <summary>Reads what a new view starts with: 15 minutes of rates, a minute of route counters, the recent timeline.</summary>
    private async Task BackfillAsync()
    {
        var now = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        var rates = await room.Switch.ReadRatesAsync(now - 1, HistorySeconds);
        _history.Clear();
        for (var i = rates.Length - 1; i >= 0; i--)
        {
            // rates is newest first: the 10-s average of second i is the mean of i and the nine before it.
            var window = rates.AsSpan(i, Math.Min(10, rates.Length - i));
            double sum = 0;
            foreach (var rate in window)
            {
                sum += rate;
            }

            _history.AddLast(new RatePoint(now - 1 - i, rates[i], Math.Round(sum / 10, 1)));
        }

        _lastSecond = now - SettledSeconds;
        var seconds = Enumerable.Range(0, RouteWindowSeconds).Select(back => _lastSecond - back).ToArray();
        var counters = await Task.WhenAll(seconds.Select(second => traffic.ReadSecondAsync(room.Name, second)));
        _seconds.Clear();
        for (var i = seconds.Length - 1; i >= 0; i--)
        {
            _seconds.AddLast((seconds[i], counters[i]));
        }

        var (last, entries) = await room.Queue.ReadTimelineAsync(null, TimelineScan, TimelineShown);
        _lastEventId = last;
        _timeline.Clear();
        AddTimeline(entries);
    }

    /// <summary>One second's frame.</summary>
    private async Task<byte[]> TickAsync(bool figures)
    {
        var now = timeProvider.GetUtcNow();
        var snapshot = room.Snapshot;
        var point = new RatePoint(now.ToUnixTimeSeconds(), snapshot.RateLastSecond, snapshot.RateTenSeconds);
        _history.AddLast(point);
        while (_history.Count > HistorySeconds)
        {
            _history.RemoveFirst();
        }

        var figuresTask = figures || _figures is null ? AdminApi.ReadFiguresAsync(room) : null;
        var timelineTask = room.Queue.ReadTimelineAsync(_lastEventId, TimelineScan, TimelineShown);
        var settled = now.ToUnixTimeSeconds() - SettledSeconds;
        // The seconds settled since the last read (one a tick; more after a stall, never more than the window).
        var from = Math.Max(_lastSecond + 1, settled - RouteWindowSeconds + 1);
        var secondsTask = settled >= from
            ? Task.WhenAll(Enumerable.Range(0, (int)(settled - from + 1)).Select(async offset => (from + offset, await traffic.ReadSecondAsync(room.Name, from + offset))))
            : null;

        if (figuresTask is not null)
        {
            _figures = await figuresTask;
        }

        var (last, entries) = await timelineTask;
        _lastEventId = last;
        var added = AddTimeline(entries);
        if (secondsTask is not null)
        {
            foreach (var read in await secondsTask)
            {
                _seconds.AddLast(read);
            }

            _lastSecond = settled;
            while (_seconds.Count > 0 && _seconds.First!.Value.Second <= settled - RouteWindowSeconds)
            {
                _seconds.RemoveFirst();
            }
        }

        var routes = figures ? TrafficStore.Summarize(_seconds.Select(s => (room.Name, s.Counters)), RouteWindowSeconds) : null;
        var view = AdminApi.Compose(room, snapshot, _figures!, now);
        return Frame("tick", new ConsoleTick(now, view, point, routes, added), ProxyJsonContext.Default.ConsoleTick);
    }

    /// <summary>Ends a watcher whose session expired, or was ended on any proxy (asked every <see cref="SessionCheckInterval"/>).</summary>
    private async Task CheckSessionAsync(Watcher watcher)
    {
        if (watcher.Operator.Session is not { } session)
        {
            return;
        }

        var now = timeProvider.GetUtcNow();
        string? reason = now >= session.ExpiresAt ? "expired" : null;
        if (reason is null && now >= watcher.NextSessionCheck)
        {
            try
            {
                reason = await sessions.IsEndedAsync(session) ? "signed-out" : null;
                watcher.NextSessionCheck = now + SessionCheckInterval;
            }
            catch (Exception ex) when (RedisCallPolicy.IsRedisFailure(ex))
            {
                // Not answered: asked again at the next tick, not a whole interval later.
                if (_sessionCheckLog.TryEnter())
                {
                    Log.SessionCheckFailed(logger, room.Name, ex);
                }
            }
        }

        if (reason is not null)
        {
            Remove(watcher);
            watcher.End(EndFrame(reason));
        }
    }

    private TimelineItem[] AddTimeline(TimelineEntry[] entries)
    {
        var added = new List<TimelineItem>(entries.Length);
        foreach (var entry in entries)
        {
            if (ToItem(entry) is { } item)
            {
                added.Add(item);
                _timeline.AddLast(item);
            }
        }

        while (_timeline.Count > TimelineShown)
        {
            _timeline.RemoveFirst();
        }

        return [.. added];
    }

    /// <summary>A stream entry as the console shows it; null for an entry without its type or time.</summary>
    internal static TimelineItem? ToItem(TimelineEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var fields = entry.Fields;
        string? Text(string name) => fields.TryGetValue(name, out var value) ? value : null;
        long? Number(string name) => long.TryParse(Text(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
        if (Text(WaitingRoomEventFields.Type) is not { } kind || Number(WaitingRoomEventFields.At) is not { } at)
        {
            return null;
        }

        return new TimelineItem(
            entry.Id,
            DateTimeOffset.FromUnixTimeMilliseconds(at),
            kind,
            QueueOn: Text("queueOn") is { } on ? on == "1" || on.Equals("true", StringComparison.OrdinalIgnoreCase) : null,
            Reason: Text(WaitingRoomEventFields.Reason),
            Count: Number("count"),
            Participants: Number("participants"),
            Operator: Text(WaitingRoomEventFields.Operator),
            Action: Text(WaitingRoomEventFields.Action),
            Detail: Text(WaitingRoomEventFields.Detail));
    }

    private async Task FailSoftAsync(Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (Exception ex) when (RedisCallPolicy.IsRedisFailure(ex))
        {
            // The watchers keep their last frame; the next tick tries again.
            if (_failureLog.TryEnter())
            {
                Log.FeedFailed(logger, room.Name, ex);
            }
        }
    }

    /// <summary>The last frame of a watcher's stream: why it ended (<c>signed-out</c>, <c>expired</c>, <c>stopping</c>).</summary>
    private static byte[] EndFrame(string reason) => Frame("end", new ConsoleEnd(reason), ProxyJsonContext.Default.ConsoleEnd);

    /// <summary>A server-sent event: <c>event: name</c>, then the value as one line of JSON.</summary>
    internal static byte[] Frame<T>(string name, T value, JsonTypeInfo<T> type)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(value, type);
        var head = Encoding.ASCII.GetBytes("event: " + name + "\ndata: ");
        return [.. head, .. json, (byte)'\n', (byte)'\n'];
    }

    /// <summary>One operator's stream: its frames, newest kept when it falls behind.</summary>
    internal sealed class Watcher(AdminOperator watcher, DateTimeOffset nextSessionCheck)
    {
        public AdminOperator Operator { get; } = watcher;

        public Channel<byte[]> Frames { get; } = Channel.CreateBounded<byte[]>(
            new BoundedChannelOptions(WatcherBacklog) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true });

        public bool Greeted { get; set; }

        public DateTimeOffset NextSessionCheck { get; set; } = nextSessionCheck;

        public void Send(byte[] frame) => Frames.Writer.TryWrite(frame);

        /// <summary>The last frame, then the end of the stream.</summary>
        public void End(byte[] frame)
        {
            Frames.Writer.TryWrite(frame);
            Frames.Writer.TryComplete();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.ConsoleFeedFailed, LogLevel.Warning, "Room {Room}: the console's live view could not read Redis; its watchers keep the last frame (at most one line in 10 s)")]
        public static partial void FeedFailed(ILogger logger, string room, Exception exception);

        [LoggerMessage(EventIds.ConsoleSessionCheckFailed, LogLevel.Warning, "Room {Room}: the console's live view could not ask Redis whether its watchers' sessions were ended; asked again next second (at most one line in 10 s)")]
        public static partial void SessionCheckFailed(ILogger logger, string room, Exception exception);

        [LoggerMessage(EventIds.ConsoleFeedCrashed, LogLevel.Error, "Room {Room}: the console's live view failed; its {Watchers} streams were closed so their browsers reconnect to a new one")]
        public static partial void FeedCrashed(ILogger logger, string room, int watchers, Exception exception);
    }
}
