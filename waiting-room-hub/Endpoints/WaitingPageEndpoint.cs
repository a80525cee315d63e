using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using YarpWaitingRoom.Challenges;
using YarpWaitingRoom.Hosting;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Scheduling;
using YarpWaitingRoom.Hub.Diagnostics;
using YarpWaitingRoom.Hub.Extensions;
using YarpWaitingRoom.Hub.Page;
using YarpWaitingRoom.Hub.Push;
using YarpWaitingRoom.Hub.Sessions;
using YarpWaitingRoom.Tokens;

namespace YarpWaitingRoom.Hub.Endpoints;

/// <summary>
/// <c>GET /_wr/wait/&lt;room&gt;?t=&lt;ticket&gt;&amp;return=&lt;url&gt;[&amp;lang=ko|en]</c>: the waiting page, rendered with
/// the visitor's current place so that it works without JavaScript (it refreshes itself, and each view counts as a
/// heartbeat). With JavaScript it switches to the WebSocket for push. Once admitted, the entry link is rendered only for
/// the ticket's own visitor (a matching <c>wr_vid</c>); anyone else is told to continue where they joined. In a scheduled
/// sale's pre-queue it shows the countdown to the sale's start and the visitor's receipt instead of a position; a place
/// the draw gave keeps its receipt beside the position. The page is titled by <see cref="WaitingPageTitle"/>.
/// </summary>
internal static partial class WaitingPageEndpoint
{
    public const string LanguageCookie = "wr_lang";

    public static async Task<IResult> GetAsync(
        string room,
        string? t,
        string? @return,
        string? lang,
        HttpContext context,
        RoomDirectory rooms,
        TokenService tokens,
        AdmissionNotifier notifier,
        IOptions<SocketHubOptions> hubOptions,
        TimeProvider timeProvider,
        ILogger<RoomDirectory> logger)
    {
        var now = timeProvider.GetUtcNow();
        var language = PageLanguages.Pick(lang, context.Request.Cookies[LanguageCookie], context.Request.Headers.AcceptLanguage.ToString());
        context.Response.Headers.CacheControl = "no-store";
        if (!rooms.TryGet(room, out var target))
        {
            return UnknownRoom(room, language, hubOptions);
        }

        var timings = WaitingPageTimings.For(target.Options, hubOptions.Value.PushInterval);

        var status = tokens.Validate(t ?? string.Empty, TokenKind.Ticket, target.Name, visitor: null, now, out var claims);
        if (status != TokenStatus.Valid)
        {
            Log.TicketRejected(logger, room, status);
            var named = WaitingPageTitle.For(room, target.Options, target.Snapshot?.Sale, language);
            return Page(new WaitingPageModel(room, string.Empty, LocalUrls.IsLocal(@return) ? @return! : "/", null, null, false, language, "unknown", null, named), timings, StatusCodes.Status400BadRequest);
        }

        var returnUrl = LocalUrls.IsLocal(@return) ? @return! : LocalUrls.IsLocal(claims!.ReturnUrl) ? claims.ReturnUrl! : "/";
        var place = await target.Queue.GetStatusAsync(claims!.Ticket);
        var snapshot = target.Snapshot ??= await target.Switch.ReadAsync(now);
        if (place.State == TicketState.Prequeue && snapshot.Sale is null)
        {
            // Held in a pre-queue this hub has not read yet (the sale notice is on its way): the start is in Redis.
            snapshot = await target.Switch.ReadAsync(now);
        }

        var sale = snapshot.Sale;
        var title = WaitingPageTitle.For(room, target.Options, sale, language);
        var lottery = sale?.Order != DrawOrder.Fifo;
        // The entry link only for the ticket's own visitor (their wr_vid), and only through the room's one delivery
        // rule (the first delivery starts the claim window); anyone else with the link sees the state.
        var own = tokens.VisitorOf(context.Request.Cookies[VisitorCookie.Name], now) == claims.Visitor;
        // A pre-queue ticket the draw has placed is admitted under the drawn place's ticket.
        var placeTicket = place.Placed ?? claims.Ticket;
        var delivery = place.State == TicketState.Active && own
            ? (await notifier.DeliverAsync(target, [placeTicket], DeliveryCause.Page))[0]
            : null;
        var model = (place.State, delivery) switch
        {
            (TicketState.Prequeue, _) => new WaitingPageModel(
                room, t!, returnUrl, null, null, snapshot.Switch.QueueOn, language, "prequeue", null, title, place.Receipt, sale?.StartsAt, now, lottery, snapshot.SoldOut),
            (TicketState.Waiting, _) => new WaitingPageModel(
                room, t!, returnUrl, place.Position, snapshot.EtaSeconds(place.Position, now, target.Options), snapshot.Switch.QueueOn, language, "waiting", null, title, place.Receipt, Lottery: lottery, SoldOut: snapshot.SoldOut),
            (TicketState.Active, DeliveryResult.Entered) => new WaitingPageModel(room, t!, returnUrl, 0, 0, snapshot.Switch.QueueOn, language, "active", returnUrl, title),
            (TicketState.Active, DeliveryResult.Delivered or DeliveryResult.DeliveredBefore) =>
                new WaitingPageModel(room, t!, returnUrl, 0, 0, snapshot.Switch.QueueOn, language, "active", tokens.IssueEntryLink(target.Name, target.Options, claims.Visitor, placeTicket, now, returnUrl), title),
            (TicketState.Active, null) => new WaitingPageModel(room, t!, returnUrl, 0, 0, snapshot.Switch.QueueOn, language, "active", null, title),
            _ => new WaitingPageModel(room, t!, returnUrl, null, null, snapshot.Switch.QueueOn, language, "gone", null, title, GoneReason: place.Reason.ToWireReason()),
        };
        if (place.State != TicketState.Gone)
        {
            target.Heartbeat(claims.Ticket);
        }

        return Page(model, timings, StatusCodes.Status200OK);
    }

    /// <summary>
    /// <c>GET /_wr/wait/&lt;room&gt;/sold-out?return=&lt;url&gt;[&amp;lang=ko|en]</c>: where a room that closes once sold out
    /// (<c>WhenSoldOut = Close</c>) sends a browser it turned away. While the room is sold out: the sold-out page, 410, with
    /// a link to try again. Otherwise (seats came back, or the room keeps its queue) back to where the visitor was going,
    /// which joins the line as usual.
    /// </summary>
    public static async Task<IResult> GetSoldOutAsync(
        string room,
        string? @return,
        string? lang,
        HttpContext context,
        RoomDirectory rooms,
        IOptions<SocketHubOptions> hubOptions,
        TimeProvider timeProvider)
    {
        var now = timeProvider.GetUtcNow();
        var (language, returnUrl) = SidePage(context, lang, @return);
        if (!rooms.TryGet(room, out var target))
        {
            return UnknownRoom(room, language, hubOptions);
        }

        var snapshot = target.Snapshot ??= await target.Switch.ReadAsync(now);
        if (!snapshot.SoldOut || target.Options.WhenSoldOut != Options.SoldOutPolicy.Close)
        {
            return TypedResults.Redirect(returnUrl);
        }

        var title = WaitingPageTitle.For(room, target.Options, snapshot.Sale, language);
        return Page(
            new WaitingPageModel(room, string.Empty, returnUrl, null, null, snapshot.Switch.QueueOn, language, "closed", null, title),
            WaitingPageTimings.For(target.Options, hubOptions.Value.PushInterval),
            StatusCodes.Status410Gone);
    }

    /// <summary>
    /// <c>GET /_wr/wait/&lt;room&gt;/challenge?return=&lt;url&gt;[&amp;lang=ko|en]</c>: where a room that asks a proof of work
    /// sends a browser without a place (<see cref="Protocol.WaitingRoomPaths.ChallengePage"/>). While the room's challenge
    /// (<see cref="Switch.RoomSnapshot.ChallengeOf"/>) is on: a fresh challenge for the visitor of the browser's valid
    /// <c>wr_vid</c>, at the room's difficulty now, on a page that solves it and goes back (<see cref="ChallengePage"/>);
    /// without a valid <c>wr_vid</c>, 400 with a page that says cookies are needed. While it is off: back to where the
    /// visitor was going, which joins the line as usual. Never cached: each view is a new challenge.
    /// </summary>
    public static async Task<IResult> GetChallengeAsync(
        string room,
        string? @return,
        string? lang,
        HttpContext context,
        RoomDirectory rooms,
        TokenService tokens,
        ChallengeService challenges,
        IOptions<SocketHubOptions> hubOptions,
        TimeProvider timeProvider)
    {
        var now = timeProvider.GetUtcNow();
        var (language, returnUrl) = SidePage(context, lang, @return);
        if (!rooms.TryGet(room, out var target))
        {
            return UnknownRoom(room, language, hubOptions);
        }

        var snapshot = target.Snapshot ??= await target.Switch.ReadAsync(now);
        var challenge = snapshot.ChallengeOf(target.Options);
        if (!challenge.IsOn)
        {
            return TypedResults.Redirect(returnUrl);
        }

        var title = WaitingPageTitle.For(room, target.Options, snapshot.Sale, language);
        // Without a valid wr_vid there is nothing to bind a challenge to: the page says cookies are needed (400).
        var issued = tokens.VisitorOf(context.Request.Cookies[VisitorCookie.Name], now) is { } visitor
            ? challenges.Issue(target.Name, visitor, challenge.Difficulty, now)
            : null;
        return TypedResults.Content(
            ChallengePage.Render(new ChallengePageModel(target.Name, title, returnUrl, language, issued, now)),
            "text/html; charset=utf-8",
            statusCode: issued is null ? StatusCodes.Status400BadRequest : StatusCodes.Status200OK);
    }

    /// <summary>What the side pages (sold out, challenge) start with: never cached, the visitor's language, and a local return URL (else the site's root).</summary>
    private static (string Language, string ReturnUrl) SidePage(HttpContext context, string? lang, string? @return)
    {
        context.Response.Headers.CacheControl = "no-store";
        var language = PageLanguages.Pick(lang, context.Request.Cookies[LanguageCookie], context.Request.Headers.AcceptLanguage.ToString());
        return (language, LocalUrls.IsLocal(@return) ? @return! : "/");
    }

    /// <summary>The page for a room this hub does not know: 404.</summary>
    private static ContentHttpResult UnknownRoom(string room, string language, IOptions<SocketHubOptions> hubOptions) =>
        Page(new WaitingPageModel(room, string.Empty, "/", null, null, false, language, "unknown", null), WaitingPageTimings.For(null, hubOptions.Value.PushInterval), StatusCodes.Status404NotFound);

    private static ContentHttpResult Page(WaitingPageModel model, WaitingPageTimings timings, int statusCode) =>
        TypedResults.Content(WaitingPage.Render(model, timings), "text/html; charset=utf-8", statusCode: statusCode);

    private static partial class Log
    {
        [LoggerMessage(EventIds.PageTicketRejected, LogLevel.Warning, "Room {Room}: waiting page ticket refused ({Status})")]
        public static partial void TicketRejected(ILogger logger, string room, TokenStatus status);
    }
}
