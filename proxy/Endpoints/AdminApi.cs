using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Proxy.Diagnostics;
using YarpWaitingRoom.Proxy.Rooms;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Stats;

namespace YarpWaitingRoom.Proxy.Endpoints;

/// <summary>
/// The operators' API under <c>/_wr/admin</c>: live numbers per room, mode changes (which every instance applies within
/// a second: the write is announced on the room's channel), and per-route traffic over the last minute. Every call
/// needs <c>X-WaitingRoom-Admin-Key</c>, checked before anything of the request is read (<see cref="AdminKeyMiddleware"/>),
/// and is rate limited per client address (the limiter runs first, so guessing keys is limited too).
/// </summary>
public static partial class AdminApi
{
    public const string RateLimitPolicy = "admin";

    /// <summary>Every admin endpoint lives under this path; <see cref="AdminKeyMiddleware"/> guards all of it.</summary>
    public const string Prefix = WaitingRoomPaths.AdminPrefix;

    /// <summary>Time span of the median wait reported per room.</summary>
    public static readonly TimeSpan MedianWaitOver = TimeSpan.FromMinutes(10);

    public const int TrafficWindowSeconds = 60;

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup(Prefix)
            .RequireRateLimiting(RateLimitPolicy);
        admin.MapGet("/rooms", GetRoomsAsync);
        admin.MapGet("/rooms/{room}", GetRoomAsync);
        admin.MapPut("/rooms/{room}/mode", SetModeAsync);
        admin.MapGet("/traffic", GetTrafficAsync);
        return app;
    }

    public static async Task<Ok<RoomView[]>> GetRoomsAsync(RoomRegistry rooms, TimeProvider timeProvider)
    {
        var views = await Task.WhenAll(rooms.All.Select(room => ViewAsync(room, timeProvider)));
        return TypedResults.Ok(views);
    }

    public static async Task<Results<Ok<RoomView>, ProblemHttpResult>> GetRoomAsync(string room, RoomRegistry rooms, TimeProvider timeProvider) =>
        rooms.TryGet(room, out var target) ? TypedResults.Ok(await ViewAsync(target, timeProvider)) : RoomNotFound(room);

    public static async Task<Results<Ok<RoomView>, ProblemHttpResult>> SetModeAsync(
        string room, ModeChange change, RoomRegistry rooms, TimeProvider timeProvider, ILogger<RoomView> logger)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (!rooms.TryGet(room, out var target))
        {
            return RoomNotFound(room);
        }

        // Names only: Enum.TryParse would also take "7" or "On,Off".
        var mode = Enum.GetValues<RoomMode>().Where(m => string.Equals(m.ToString(), change.Mode, StringComparison.OrdinalIgnoreCase)).ToArray();
        if (mode.Length != 1)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "Invalid mode",
                detail: $"'mode' must be one of {string.Join(", ", Enum.GetNames<RoomMode>())}.",
                type: ProblemTypes.InvalidMode);
        }

        var written = await target.Switch.SetModeAsync(mode[0], timeProvider.GetUtcNow());
        target.Snapshot = written;
        Log.ModeChanged(logger, room, mode[0], written.Switch.QueueOn ? "ON" : "OFF");
        return TypedResults.Ok(await ViewAsync(target, timeProvider));
    }

    public static async Task<Ok<TrafficView>> GetTrafficAsync(RoomRegistry rooms, IConnectionMultiplexer redis, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(rooms);
        ArgumentNullException.ThrowIfNull(redis);
        var lastSecond = timeProvider.GetUtcNow().ToUnixTimeSeconds() - 1;
        var batch = redis.GetDatabase().CreateBatch();
        var reads = rooms.All
            .SelectMany(room => Enumerable.Range(0, TrafficWindowSeconds).Select(i => (Room: room.Name, Read: batch.HashGetAllAsync(room.Queue.Keys.Rate(lastSecond - i)))))
            .ToList();
        batch.Execute();
        await Task.WhenAll(reads.Select(r => r.Read));

        var routes = new SortedDictionary<(string Room, string Route), RouteAccumulator>();
        foreach (var (room, read) in reads)
        {
            foreach (var entry in read.Result)
            {
                var name = (string)entry.Name!;
                var bar = name.LastIndexOf('|');
                if (bar <= 0)
                {
                    continue;
                }

                var key = (room, name[..bar]);
                if (!routes.TryGetValue(key, out var acc))
                {
                    routes[key] = acc = new RouteAccumulator();
                }

                acc.Add(name.AsSpan(bar + 1), (long)entry.Value);
            }
        }

        var views = routes.Select(r => r.Value.ToView(r.Key.Room, r.Key.Route)).ToArray();
        return TypedResults.Ok(new TrafficView(TrafficWindowSeconds, views));
    }

    private static async Task<RoomView> ViewAsync(Room room, TimeProvider timeProvider)
    {
        var now = timeProvider.GetUtcNow();
        var snapshotTask = room.Switch.ReadAsync(now);
        var statsTask = room.Queue.GetStatsAsync(MedianWaitOver);
        var snapshot = await snapshotTask;
        var stats = await statsTask;
        return new RoomView(
            room.Name,
            snapshot.Mode.ToString(),
            snapshot.Switch.QueueOn,
            snapshot.Switch.Since,
            snapshot.Switch.Reason,
            snapshot.RateLastSecond,
            snapshot.RateTenSeconds,
            snapshot.Waiting,
            snapshot.Active,
            room.Options.MaxActive,
            Math.Round(stats.AdmittedPerMinute, 1),
            Math.Round(stats.AbandonedPerMinute, 1),
            stats.MedianWaitSeconds is { } median ? Math.Round(median, 1) : null,
            Math.Round(snapshot.AdmitRate, 3),
            snapshot.LastAdmissionRun,
            room.AdmissionStalledSince is not null);
    }

    private static ProblemHttpResult RoomNotFound(string room) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Room not found", detail: $"There is no room '{room}'.",
        type: ProblemTypes.RoomNotFound);

    private sealed class RouteAccumulator
    {
        private readonly long[] _buckets = new long[RateFields.LatencyBoundsMs.Length + 1];
        private long _count;
        private long _micros;

        public void Add(ReadOnlySpan<char> field, long value)
        {
            if (field.SequenceEqual("n"))
            {
                _count += value;
            }
            else if (field.SequenceEqual("us"))
            {
                _micros += value;
            }
            else if (field.Length > 1 && field[0] == 'b'
                && int.TryParse(field[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var bucket) && bucket < _buckets.Length)
            {
                _buckets[bucket] += value;
            }
        }

        public RouteTraffic ToView(string room, string route) => new(
            room,
            route,
            _count,
            Math.Round(_count / (double)TrafficWindowSeconds, 2),
            _count == 0 ? null : Math.Round(_micros / 1000d / _count, 3),
            BucketQuantile.Of(RateFields.LatencyBoundsMs, _buckets, 0.95) is { } p95 ? Math.Round(p95, 3) : null);
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.ModeChanged, LogLevel.Warning, "Room {Room}: mode set to {Mode} by an operator; queue {QueueOn}")]
        public static partial void ModeChanged(ILogger logger, string room, RoomMode mode, string queueOn);
    }
}

/// <summary>Body of <c>PUT /_wr/admin/rooms/{room}/mode</c>.</summary>
public sealed record ModeChange(string? Mode);

/// <summary>A room as operators see it.</summary>
public sealed record RoomView(
    string Room,
    string Mode,
    bool QueueOn,
    DateTimeOffset Since,
    string Reason,
    double RatePerSecond,
    double RateTenSecondAverage,
    long Waiting,
    long Active,
    int MaxActive,
    double AdmittedPerMinute,
    double AbandonedPerMinute,
    double? MedianWaitSeconds,
    double AdmitRatePerSecond,
    DateTimeOffset? LastAdmissionRun,
    bool AdmissionStalled);

/// <summary>Per-route calls over the last <paramref name="WindowSeconds"/>, all edge instances.</summary>
public sealed record TrafficView(int WindowSeconds, RouteTraffic[] Routes);

/// <summary>One route's calls and latency (gate plus backend) over the window.</summary>
public sealed record RouteTraffic(string Room, string Route, long Count, double RatePerSecond, double? MeanMs, double? P95Ms);
