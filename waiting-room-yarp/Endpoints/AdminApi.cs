using YarpWaitingRoom.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Yarp.Contracts;
using YarpWaitingRoom.Yarp.Diagnostics;
using YarpWaitingRoom.Yarp.Rooms;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Switch;
using YarpWaitingRoom.Traffic;
using YarpWaitingRoom.Yarp.Console;

namespace YarpWaitingRoom.Yarp.Endpoints;

/// <summary>
/// The operators' API under <c>/_wr/admin</c>: live numbers per room, mode changes (which every instance applies within
/// a second: the write is announced on the room's channel), and per-route traffic over the last minute. Every call
/// needs <c>X-WaitingRoom-Admin-Key</c>, checked before anything of the request is read (<see cref="EndpointGuard"/>),
/// and is rate limited per client address (the limiter runs first, so guessing keys is limited too).
/// </summary>
internal static partial class AdminApi
{
    public const string RateLimitPolicy = "admin";

    /// <summary>Every admin endpoint lives under this path; <see cref="EndpointGuard"/> guards all of it.</summary>
    public const string Prefix = WaitingRoomPaths.AdminPrefix;

    /// <summary>Time span of the median wait reported per room.</summary>
    public static readonly TimeSpan MedianWaitOver = TimeSpan.FromMinutes(10);

    public const int TrafficWindowSeconds = 60;

    /// <summary>How many of the networks holding the most waiting places a room's view lists.</summary>
    public const int BusiestNetworksShown = 5;

    public static void Map(IEndpointRouteBuilder app, EndpointGuard guard)
    {
        ArgumentNullException.ThrowIfNull(guard);
        var admin = app.MapGroup(Prefix)
            .AddEndpointFilter<RedisFailureFilter>();
        admin.WrapRequestDelegates(endpoint => guard.Wrap(endpoint, EndpointGuard.Kind.Admin));
        admin.MapGet("/rooms", GetRoomsAsync);
        admin.MapGet("/rooms/{room}", GetRoomAsync);
        admin.MapPut("/rooms/{room}/mode", SetModeAsync);
        admin.MapGet("/traffic", GetTrafficAsync);
        admin.MapPost("/rooms/{room}/reset", ResetRoomAsync);
        admin.MapPost("/reset", ResetRoomsAsync);
        EventApi.Map(admin);
        InventoryApi.Map(admin);
        ChallengeApi.Map(admin);
        CapacityApi.Map(admin);
        ConsoleEndpoints.Map(admin);
        // Anything else under the prefix (another path, method or content type) lands here, behind the same guard,
        // rather than on routing's own 404/405/415 answers, which would answer without the key.
        admin.Map("/{**rest}", NoSuchEndpoint);
    }

    /// <summary>No admin endpoint takes this method, path and content type (asked with the right key).</summary>
    public static ProblemHttpResult NoSuchEndpoint(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return TypedResults.Problem(
            statusCode: StatusCodes.Status404NotFound,
            title: "No such admin endpoint",
            detail: $"No admin endpoint answers {context.Request.Method} here; JSON bodies need Content-Type: application/json.");
    }

    /// <summary>Empties one room between rehearsals (<see cref="QueueStore.ResetAsync"/>); every instance re-reads it at once.</summary>
    public static async Task<Results<Ok<RoomResetResult>, ProblemHttpResult>> ResetRoomAsync(
        string room, RoomRegistry rooms, HttpContext context, OperatorAudit audit, ILogger<RoomView> logger, CancellationToken cancellationToken) =>
        rooms.TryGet(room, out var target) ? TypedResults.Ok(await ResetAsync(target, context, audit, logger, cancellationToken)) : RoomNotFound(room);

    /// <summary>Empties every configured room, one after the other.</summary>
    public static async Task<Ok<RoomResetResult[]>> ResetRoomsAsync(
        RoomRegistry rooms, HttpContext context, OperatorAudit audit, ILogger<RoomView> logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rooms);
        var results = new List<RoomResetResult>();
        foreach (var room in rooms.All)
        {
            results.Add(await ResetAsync(room, context, audit, logger, cancellationToken));
        }

        return TypedResults.Ok(results.ToArray());
    }

    public static async Task<Ok<RoomView[]>> GetRoomsAsync(RoomRegistry rooms, TimeProvider timeProvider)
    {
        var views = await Task.WhenAll(rooms.All.Select(room => ViewAsync(room, timeProvider)));
        return TypedResults.Ok(views);
    }

    public static async Task<Results<Ok<RoomView>, ProblemHttpResult>> GetRoomAsync(string room, RoomRegistry rooms, TimeProvider timeProvider) =>
        rooms.TryGet(room, out var target) ? TypedResults.Ok(await ViewAsync(target, timeProvider)) : RoomNotFound(room);

    public static async Task<Results<Ok<RoomView>, ProblemHttpResult>> SetModeAsync(
        string room, ModeChange change, RoomRegistry rooms, HttpContext context, OperatorAudit audit, TimeProvider timeProvider, ILogger<RoomView> logger)
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

        var before = target.Snapshot.Mode;
        var call = target.BeginStateCall();
        var written = await target.Switch.SetModeAsync(mode[0], timeProvider.GetUtcNow());
        target.Publish(call, written);
        Log.ModeChanged(logger, room, mode[0], written.Switch.QueueOn ? "ON" : "OFF");
        await audit.RecordAsync(context, target, "mode", $"{before} → {mode[0]}");
        return TypedResults.Ok(await ViewAsync(target, timeProvider));
    }

    public static async Task<Ok<TrafficView>> GetTrafficAsync(TrafficStore traffic, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(traffic);
        var lastSecond = timeProvider.GetUtcNow().ToUnixTimeSeconds() - 1;
        return TypedResults.Ok(new TrafficView(TrafficWindowSeconds, await traffic.ReadRoutesAsync(lastSecond, TrafficWindowSeconds)));
    }

    /// <summary>The room's view as of now: its state read from Redis (not this proxy's cached snapshot), and its figures.</summary>
    internal static async Task<RoomView> ViewAsync(Room room, TimeProvider timeProvider)
    {
        var now = timeProvider.GetUtcNow();
        var snapshotTask = room.Switch.ReadAsync(now);
        var figures = await ReadFiguresAsync(room);
        return Compose(room, await snapshotTask, figures, now);
    }

    /// <summary>The figures of a room's view beyond its state: admission stats, the entry tally, the busiest networks.</summary>
    internal static async Task<RoomFigures> ReadFiguresAsync(Room room)
    {
        var statsTask = room.Queue.GetStatsAsync(MedianWaitOver);
        var tallyTask = room.Queue.ReadEntryTallyAsync();
        // Bounded however many networks hold places (a sorted set by count: no scan); nothing is counted with the cap off.
        // The cap in force is this proxy's snapshot's: an operator's change made here is in it at once, elsewhere within a second.
        var maxPlacesPerNetwork = room.Snapshot.MaxPlacesPerNetworkOf(room.Options);
        var networksTask = maxPlacesPerNetwork > 0 ? room.Queue.GetNetworkPlacesAsync(BusiestNetworksShown, maxPlacesPerNetwork) : null;
        var stats = await statsTask;
        var tally = (await tallyTask).ToDictionary(e => (string)e.Name!, e => (long)e.Value, StringComparer.Ordinal);
        var networks = networksTask is null ? null : await networksTask;
        return new RoomFigures(stats, Gate.EntryTally.Fields.ToDictionary(f => f, f => tally.GetValueOrDefault(f), StringComparer.Ordinal), networks);
    }

    /// <summary>A room's view from its state (<paramref name="snapshot"/>) and its figures.</summary>
    internal static RoomView Compose(Room room, RoomSnapshot snapshot, RoomFigures figures, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(figures);
        var stats = figures.Stats;
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
            snapshot.MaxActiveOf(room.Options),
            room.Options.MaxActive,
            Math.Round(stats.AdmittedPerMinute, 1),
            Math.Round(stats.AbandonedPerMinute, 1),
            stats.MedianWaitSeconds is { } median ? Math.Round(median, 1) : null,
            Math.Round(snapshot.AdmitRate, 3),
            snapshot.LastAdmissionRun,
            room.AdmissionStalledSince is not null,
            snapshot.Inventory?.Remaining,
            snapshot.SoldOut,
            ChallengeApi.View(snapshot.ChallengeOf(room.Options)),
            room.Options.Access.ToString(),
            figures.Entry,
            snapshot.MaxPlacesPerNetworkOf(room.Options),
            room.Options.MaxPlacesPerNetwork,
            figures.Networks?.AtCap ?? 0,
            figures.Networks?.Busiest ?? [],
            // The wait of whoever joins now: the place behind everyone waiting.
            snapshot.Waiting > 0 ? snapshot.EtaSeconds(snapshot.Waiting + 1, now, room.Options) : null);
    }

    private static async Task<RoomResetResult> ResetAsync(
        Room room, HttpContext context, OperatorAudit audit, ILogger logger, CancellationToken cancellationToken)
    {
        var result = await room.Queue.ResetAsync(cancellationToken);
        Log.RoomReset(logger, room.Name, result.Waiting, result.Active, result.KeysRemoved);
        // After the reset (which keeps the events stream for its consumers): the trail says who emptied the room.
        await audit.RecordAsync(context, room, "reset", $"{result.Waiting} waiting, {result.Active} active dropped");
        return result;
    }

    internal static ProblemHttpResult RoomNotFound(string room) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Room not found", detail: $"There is no room '{room}'.",
        type: ProblemTypes.RoomNotFound);

    private static partial class Log
    {
        [LoggerMessage(EventIds.ModeChanged, LogLevel.Warning, "Room {Room}: mode set to {Mode} by an operator; queue {QueueOn}")]
        public static partial void ModeChanged(ILogger logger, string room, RoomMode mode, string queueOn);

        [LoggerMessage(EventIds.RoomReset, LogLevel.Warning, "Room {Room}: reset by an operator; {Waiting} waiting and {Active} active dropped, {Keys} keys removed")]
        public static partial void RoomReset(ILogger logger, string room, long waiting, long active, long keys);
    }
}
