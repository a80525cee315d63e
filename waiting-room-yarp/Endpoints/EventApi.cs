using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using StackExchange.Redis;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Scheduling;
using YarpWaitingRoom.Yarp.Contracts;
using YarpWaitingRoom.Yarp.Rooms;

namespace YarpWaitingRoom.Yarp.Endpoints;

/// <summary>
/// A room's scheduled sale under the admin API: <c>PUT</c> schedules or replaces it, <c>DELETE</c> cancels it (both only
/// until its pre-queue opens: <c>409</c> after), <c>GET</c> shows it. Mapped inside <see cref="AdminApi"/>'s guarded group;
/// <see cref="GetAsync"/> also serves the public document (<see cref="WaitingRoomApi"/>): it shows nothing secret.
/// </summary>
internal static class EventApi
{
    public static void Map(RouteGroupBuilder admin)
    {
        ArgumentNullException.ThrowIfNull(admin);
        admin.MapPut("/rooms/{room}/event", ScheduleAsync);
        admin.MapGet("/rooms/{room}/event", GetAsync);
        admin.MapDelete("/rooms/{room}/event", CancelAsync);
        admin.MapGet("/rooms/{room}/event/participants", GetParticipantsAsync);
    }

    public static async Task<Results<Ok<EventView>, ProblemHttpResult>> ScheduleAsync(
        string room, EventRequest request, RoomRegistry rooms, IConnectionMultiplexer redis, HttpContext context, Console.OperatorAudit audit, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!rooms.TryGet(room, out var target))
        {
            return AdminApi.RoomNotFound(room);
        }

        var now = timeProvider.GetUtcNow();
        if (!TryTime(request.PrequeueOpensAt, out var opens))
        {
            return Invalid("prequeueOpensAt", "give an ISO 8601 time with an offset or Z");
        }

        if (!TryTime(request.StartsAt, out var starts))
        {
            return Invalid("startsAt", "give an ISO 8601 time with an offset or Z");
        }

        if (!ScheduledEvent.TryCreate(request.Name, opens, starts, request.Order, now, out var scheduled, out var field, out var problem))
        {
            return Invalid(field!, problem!);
        }

        var (outcome, stored) = await Store(target, redis, timeProvider).ScheduleAsync(scheduled!);
        if (outcome != ScheduleOutcome.Scheduled)
        {
            return Fixed(room);
        }

        await audit.RecordAsync(context, target, "event", $"{scheduled!.Name}: pre-queue {scheduled.PrequeueOpensAt:O}, start {scheduled.StartsAt:O}, {scheduled.Order}");
        return TypedResults.Ok(View(stored!, now));
    }

    public static async Task<Results<Ok<EventView>, ProblemHttpResult>> GetAsync(
        string room, RoomRegistry rooms, IConnectionMultiplexer redis, TimeProvider timeProvider)
    {
        if (!rooms.TryGet(room, out var target))
        {
            return AdminApi.RoomNotFound(room);
        }

        var stored = await Store(target, redis, timeProvider).GetAsync();
        return stored is null ? NotScheduled(room) : TypedResults.Ok(View(stored, timeProvider.GetUtcNow()));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> CancelAsync(
        string room, RoomRegistry rooms, IConnectionMultiplexer redis, HttpContext context, Console.OperatorAudit audit, TimeProvider timeProvider)
    {
        if (!rooms.TryGet(room, out var target))
        {
            return AdminApi.RoomNotFound(room);
        }

        var outcome = await Store(target, redis, timeProvider).CancelAsync();
        if (outcome == ScheduleOutcome.Cancelled)
        {
            await audit.RecordAsync(context, target, "event-cancel", "cancelled");
        }

        return outcome switch
        {
            ScheduleOutcome.Cancelled => TypedResults.NoContent(),
            ScheduleOutcome.NotFound => NotScheduled(room),
            _ => Fixed(room),
        };
    }

    /// <summary>The document of a stored event at <paramref name="now"/>: the seed only once drawn.</summary>
    public static EventView View(StoredEvent stored, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var scheduled = stored.Event;
        return new EventView(
            scheduled.Name,
            scheduled.PrequeueOpensAt,
            scheduled.StartsAt,
            scheduled.Order.ToString(),
            scheduled.PhaseAt(now, stored.IsDrawn).ToString().ToLowerInvariant(),
            stored.Commitment,
            stored.IsDrawn ? stored.Seed : null,
            stored.Participants,
            stored.Digest,
            stored.DrawnAt,
            stored.DrawMs);
    }

    /// <summary>Participants per Redis read while streaming the published draw.</summary>
    internal const int ParticipantsPerRead = 10_000;

    /// <summary>
    /// The published draw, <c>GET /_wr/rooms/{room}/event/participants</c>: one NDJSON line per participant,
    /// <c>{"position":1,"receipt":"…"}</c>, by position, streamed from Redis a chunk at a time (a million lines never sit
    /// in memory). The draw never changes once made, so the response is cacheable and its ETag is the digest; 404 before
    /// the draw.
    /// </summary>
    public static async Task<IResult> GetParticipantsAsync(
        string room, HttpContext context, RoomRegistry rooms, IConnectionMultiplexer redis, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!rooms.TryGet(room, out var target))
        {
            return AdminApi.RoomNotFound(room);
        }

        var stored = await Store(target, redis, timeProvider).GetAsync();
        if (stored is null)
        {
            return NotScheduled(room);
        }

        if (!stored.IsDrawn)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "Not drawn yet",
                detail: $"Room '{room}''s event is drawn at its start ({stored.Event.StartsAt:O}); its participants are published then.",
                type: ProblemTypes.EventNotDrawn);
        }

        var etag = "\"" + stored.Digest + "\"";
        var response = context.Response;
        response.Headers.ETag = etag;
        response.Headers.CacheControl = "public, max-age=300";
        if (context.Request.Headers.IfNoneMatch.Contains(etag))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        response.ContentType = "application/x-ndjson; charset=utf-8";
        await WriteParticipantsAsync(response.BodyWriter, redis.GetDatabase(), target.Queue.Keys.Participants, stored.Participants ?? 0, context.RequestAborted);
        return TypedResults.Empty;
    }

    private static async Task WriteParticipantsAsync(System.IO.Pipelines.PipeWriter writer, IDatabase db, RedisKey list, long count, CancellationToken cancellationToken)
    {
        // The next chunk is read while this one is written.
        var next = count > 0 ? db.ListRangeAsync(list, 0, ParticipantsPerRead - 1) : null;
        for (long start = 0; next is not null; start += ParticipantsPerRead)
        {
            var chunk = await next;
            var following = start + ParticipantsPerRead;
            next = chunk.Length == ParticipantsPerRead && following < count
                ? db.ListRangeAsync(list, following, following + ParticipantsPerRead - 1)
                : null;
            for (var i = 0; i < chunk.Length; i++)
            {
                var line = string.Create(CultureInfo.InvariantCulture, $"{{\"position\":{start + i + 1},\"receipt\":\"{(string?)chunk[i]}\"}}\n");
                var span = writer.GetSpan(line.Length);
                var written = System.Text.Encoding.ASCII.GetBytes(line, span);
                writer.Advance(written);
            }

            var flushed = await writer.FlushAsync(cancellationToken);
            if (flushed.IsCanceled || flushed.IsCompleted)
            {
                return;
            }
        }
    }

    private static EventStore Store(Room room, IConnectionMultiplexer redis, TimeProvider timeProvider) =>
        new(redis, room.Queue.Keys, timeProvider);

    /// <summary>ISO 8601 with an explicit offset or <c>Z</c>: a time without one would be read in the server's zone.</summary>
    private static bool TryTime(string? text, out DateTimeOffset? time)
    {
        time = null;
        if (text is null)
        {
            return true; // absent: ScheduledEvent names the missing field
        }

        var hasOffset = text.EndsWith('Z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');
        if (!hasOffset || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            return false;
        }

        time = parsed;
        return true;
    }

    private static ProblemHttpResult Invalid(string field, string problem) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status400BadRequest,
            title: "Invalid event",
            detail: $"'{field}': {problem}.",
            type: ProblemTypes.InvalidEvent,
            extensions: new Dictionary<string, object?> { ["field"] = field });

    private static ProblemHttpResult NotScheduled(string room) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status404NotFound,
            title: "No event scheduled",
            detail: $"Room '{room}' has no scheduled event.",
            type: ProblemTypes.EventNotFound);

    private static ProblemHttpResult Fixed(string room) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status409Conflict,
            title: "Event fixed",
            detail: $"The pre-queue of room '{room}''s event has opened: it can no longer be replaced or cancelled.",
            type: ProblemTypes.EventFixed);
}
