using YarpWaitingRoom.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Yarp.Contracts;
using YarpWaitingRoom.Yarp.Diagnostics;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Tokens;

namespace YarpWaitingRoom.Yarp.Endpoints;

/// <summary>
/// The visitor-facing endpoints: ticket status (polling fallback), entry with a one-time code. A Redis failure is
/// answered 503 with Retry-After (<see cref="RedisFailureFilter"/>).
/// </summary>
internal static partial class WaitingRoomApi
{
    public static void Map(IEndpointRouteBuilder app, EndpointGuard guard)
    {
        ArgumentNullException.ThrowIfNull(guard);
        var api = app.MapGroup(WaitingRoomPaths.Prefix)
            .AddEndpointFilter<RedisFailureFilter>();
        api.WrapRequestDelegates(endpoint => guard.Wrap(endpoint, EndpointGuard.Kind.Visitor));
        api.MapGet("/rooms/{room}/tickets/{ticket}", GetTicketAsync);
        api.MapPost("/rooms/{room}/tickets/{ticket}/leave", LeaveAsync);
        api.MapGet("/enter/{room}", EnterAsync);
        // The sale's public document (no key): what anyone needs to check the draw; the seed only once drawn.
        api.MapGet("/rooms/{room}/event", EventApi.GetAsync);
        api.MapGet("/rooms/{room}/event/participants", EventApi.GetParticipantsAsync);
    }

    /// <summary>Who delivered an admission whose link went out in a ticket-status answer (the delivery marker's value).</summary>
    private const string DeliveredByPoll = "poll";

    /// <summary>
    /// Where a ticket stands; polling it counts as a heartbeat while waiting (or in a sale's pre-queue). Anyone holding the ticket sees its state and
    /// position; the entry link of an admitted ticket goes only to the ticket's own visitor (the browser's valid
    /// <c>wr_vid</c> names it), and handing it out counts as the admission's delivery (the claim window starts at the
    /// first one, whoever delivers it).
    /// </summary>
    public static async Task<Results<Ok<TicketStatusResponse>, ProblemHttpResult>> GetTicketAsync(
        string room, string ticket, HttpContext context, [AsParameters] WaitingRoomServices services)
    {
        if (!services.Rooms.TryGet(room, out var target))
        {
            return RoomNotFound(room);
        }

        var now = services.TimeProvider.GetUtcNow();
        var status = services.Tokens.Validate(ticket, TokenKind.Ticket, target.Name, visitor: null, now, out var claims);
        if (status != TokenStatus.Valid)
        {
            services.Metrics.TokenRejected(room, "ticket", status);
            Log.TicketRejected(services.Logger, room, status);
            return TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "Invalid ticket",
                detail: $"The ticket is not valid for room '{room}' ({status}).",
                type: ProblemTypes.InvalidTicket);
        }

        var own = string.Equals(services.Cookies.ReadVisitor(context), claims!.Visitor, StringComparison.Ordinal);
        var place = await target.Queue.GetStatusAsync(claims.Ticket);
        // A pre-queue ticket the draw has placed stands for that place from then on: its admission is that place's.
        var placeTicket = place.Placed ?? claims.Ticket;
        if (place.State is TicketState.Waiting or TicketState.Prequeue)
        {
            await target.Queue.TouchAsync([claims.Ticket]);
        }

        else if (place.State == TicketState.Active && own
            && (await target.Queue.DeliverAsync([placeTicket], DeliveredByPoll))[0] == DeliveryResult.NotAdmitted)
        {
            // The admission lapsed between the two reads.
            place = new TicketStatus(TicketState.Gone, 0, GoneReason.Expired);
        }

        var queueOn = target.QueueOn;
        var startsAt = target.Snapshot.Sale is { DrawnAt: null } sale ? sale.StartsAt : (DateTimeOffset?)null;
        var soldOut = target.Snapshot.SoldOut;
        return TypedResults.Ok(place.State switch
        {
            TicketState.Prequeue => new TicketStatusResponse("prequeue", null, null, queueOn, EnterUrl: null, Receipt: place.Receipt, StartsAt: startsAt, SoldOut: soldOut),
            TicketState.Waiting => new TicketStatusResponse("waiting", place.Position, target.EtaSeconds(place.Position, now), queueOn, EnterUrl: null, Receipt: place.Receipt, SoldOut: soldOut),
            TicketState.Active => new TicketStatusResponse("active", 0, EtaSeconds: 0, queueOn, own ? services.Tokens.IssueEntryLink(target.Name, target.Options, claims.Visitor, placeTicket, now, claims.ReturnUrl) : null),
            _ => new TicketStatusResponse("gone", null, null, queueOn, null, place.Reason.ToWireReason()),
        });
    }

    /// <summary>
    /// Gives up a place on purpose (the sold-out page's "leave", or an API client that no longer wants to wait): freed at
    /// once for the visitors behind, one <c>left</c> event. Only the ticket's own visitor (the browser's valid
    /// <c>wr_vid</c>) may, and only from the site itself (a cross-site request is refused: a foreign page must not
    /// empty a visitor's place). Answers the ticket status (<c>gone</c>, <c>left</c>); leaving twice answers the same.
    /// A browser's form post (the page without JavaScript) is sent back to the waiting page, which then says so.
    /// </summary>
    public static async Task<IResult> LeaveAsync(string room, string ticket, HttpContext context, [AsParameters] WaitingRoomServices services)
    {
        if (!services.Rooms.TryGet(room, out var target))
        {
            return RoomNotFound(room);
        }

        if (CrossSiteRequests.IsCrossSite(context.Request))
        {
            services.Metrics.LeaveRefused(room, "cross-site");
            Log.LeaveCrossSite(services.Logger, room);
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Cross-site request",
                detail: "A place can be given up only from this site.", type: ProblemTypes.CrossSite);
        }

        var now = services.TimeProvider.GetUtcNow();
        var status = services.Tokens.Validate(ticket, TokenKind.Ticket, target.Name, services.Cookies.ReadVisitor(context), now, out var claims);
        if (status != TokenStatus.Valid)
        {
            services.Metrics.TokenRejected(room, "ticket", status);
            services.Metrics.LeaveRefused(room, status == TokenStatus.WrongVisitor ? "foreign" : "invalid");
            Log.TicketRejected(services.Logger, room, status);
            return status == TokenStatus.WrongVisitor
                ? TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not your place",
                    detail: "Only the browser that joined can give up this place.", type: ProblemTypes.ForeignTicket)
                : TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid ticket",
                    detail: $"The ticket is not valid for room '{room}' ({status}).", type: ProblemTypes.InvalidTicket);
        }

        var left = await target.Queue.LeaveAsync(claims!.Ticket);
        if (left == LeaveResult.Drawing)
        {
            context.Response.Headers.RetryAfter = "1";
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Being drawn",
                detail: "The sale's draw is placing everyone right now; ask again in a moment.", type: ProblemTypes.BeingDrawn);
        }

        var place = left == LeaveResult.Left ? new TicketStatus(TicketState.Gone, 0, GoneReason.Left) : await target.Queue.GetStatusAsync(claims.Ticket);
        if (place.State != TicketState.Gone)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "No place to give up",
                detail: "This ticket is admitted: the session ends on the site.", type: ProblemTypes.NoPlace);
        }

        if (left == LeaveResult.Left)
        {
            services.Metrics.Left(room);
            Log.Left(services.Logger, room, claims.Visitor);
        }

        if (context.Request.HasFormContentType)
        {
            return TypedResults.Redirect(WaitingRoomPaths.WaitPage(target.Name, ticket, claims.ReturnUrl is { } back && LocalUrls.IsLocal(back) ? back : "/"));
        }

        var reason = place.Reason == GoneReason.Unknown ? GoneReason.Left : place.Reason;
        return TypedResults.Ok(new TicketStatusResponse("gone", null, null, target.QueueOn, null, reason.ToWireReason()));
    }

    /// <summary>Turns a one-time entry code into the admission cookie and sends the visitor where they were going.</summary>
    public static async Task<Results<RedirectHttpResult, ProblemHttpResult>> EnterAsync(
        string room, string? code, string? @return, HttpContext context, [AsParameters] WaitingRoomServices services)
    {
        if (!services.Rooms.TryGet(room, out var target))
        {
            return RoomNotFound(room);
        }

        // The code is bound to its visitor: it works only in the browser that joined (its valid wr_vid names that
        // visitor). Without a wr_vid, or with another, the link is someone else's: 403, and nothing is set.
        var now = services.TimeProvider.GetUtcNow();
        var browserVisitor = services.Cookies.ReadVisitor(context);
        TokenClaims? entry = null;
        var status = string.IsNullOrEmpty(code)
            ? TokenStatus.Malformed
            : services.Tokens.Validate(code, TokenKind.EntryCode, target.Name, browserVisitor, now, out entry);
        if (status != TokenStatus.Valid)
        {
            services.Metrics.TokenRejected(room, "code", status);
            Log.CodeRejected(services.Logger, room, status);
            return status == TokenStatus.WrongVisitor
                ? TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not your entry link",
                    detail: "This entry link belongs to another visitor: it works only in the browser that joined the queue.",
                    type: ProblemTypes.ForeignCode)
                : TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid entry code",
                    detail: $"The entry code is not valid for room '{room}' ({status}).", type: ProblemTypes.InvalidCode);
        }

        // Where the visitor first wanted to go: the link's own return, else the one its code carries (from the ticket).
        var returnUrl = LocalUrls.IsLocal(@return) ? @return! : entry!.ReturnUrl;
        var redeemed = await target.Queue.RedeemAsync(entry!.Ticket);
        if (redeemed == RedeemResult.AdmissionGone)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: "Admission expired",
                detail: "The admission was not used in time. Join the queue again.", type: ProblemTypes.AdmissionGone);
        }

        // Used before, by this same browser (the code names the visitor its wr_vid proves): its answer was lost (a timeout,
        // a dropped connection, a busy proxy), so the visitor is let in again to the same admission, never stranded
        // admitted without a cookie until the session runs out. Nothing is granted that was not: same visitor, same
        // ticket, and only while the admission lives.
        if (redeemed == RedeemResult.AlreadyUsed)
        {
            services.Metrics.EntryResumed(room);
            if (!await target.Queue.RefreshSessionAsync(entry.Ticket))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: "Admission expired",
                    detail: "The admission has ended. Join the queue again.", type: ProblemTypes.AdmissionGone);
            }
        }

        services.Cookies.SetAdmission(context, target, entry.Visitor, entry.Ticket);
        return TypedResults.Redirect(LocalUrls.IsLocal(returnUrl) ? returnUrl! : "/");
    }

    private static ProblemHttpResult RoomNotFound(string room) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Room not found", detail: $"There is no room '{room}'.",
        type: ProblemTypes.RoomNotFound);

    private static partial class Log
    {
        [LoggerMessage(EventIds.TicketRejected, LogLevel.Warning, "Room {Room}: ticket refused ({Status})")]
        public static partial void TicketRejected(ILogger logger, string room, TokenStatus status);

        [LoggerMessage(EventIds.CodeRejected, LogLevel.Warning, "Room {Room}: entry code refused ({Status})")]
        public static partial void CodeRejected(ILogger logger, string room, TokenStatus status);

        [LoggerMessage(EventIds.LeaveCrossSite, LogLevel.Warning, "Room {Room}: a cross-site request to give up a place was refused")]
        public static partial void LeaveCrossSite(ILogger logger, string room);

        [LoggerMessage(EventIds.Left, LogLevel.Information, "Room {Room}: visitor {Visitor} gave up the place")]
        public static partial void Left(ILogger logger, string room, string visitor);
    }
}
