using Microsoft.Extensions.Options;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Yarp.Rooms;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Tokens;

namespace YarpWaitingRoom.Yarp.Gate;

/// <summary>
/// The two cookies: <c>wr_vid</c> (who this browser is, across rooms, tabs and reloads) and <c>wr_&lt;room&gt;</c>
/// (admitted to that room until the session expires). Both are signed tokens, HttpOnly, SameSite=Lax, Secure unless
/// configured off for local plain http.
/// </summary>
internal sealed class WaitingRoomCookies(TokenService tokens, IOptions<WaitingRoomOptions> options, TimeProvider timeProvider)
{
    public const string VisitorCookie = Tokens.VisitorCookie.Name;

    private readonly bool _secure = options.Value.SecureCookies;

    /// <summary>The visitor named by a valid <c>wr_vid</c> cookie, or null.</summary>
    public string? ReadVisitor(HttpContext context) => ReadVisitor(context, timeProvider.GetUtcNow());

    /// <summary>The visitor named by a valid <c>wr_vid</c> cookie at <paramref name="now"/>, or null.</summary>
    public string? ReadVisitor(HttpContext context, DateTimeOffset now)
    {
        var value = RequestCookie.Find(context.Request, VisitorCookie);
        return !value.IsEmpty
            && tokens.Validate(value, TokenKind.Visitor, room: string.Empty, visitor: null, now, out var claims) == TokenStatus.Valid
            ? claims!.Visitor
            : null;
    }

    /// <summary>Gives the browser a new visitor id (and its cookie).</summary>
    public string IssueVisitor(HttpContext context)
    {
        var visitor = "v" + TicketIds.New();
        SetVisitor(context, visitor);
        return visitor;
    }

    public void SetVisitor(HttpContext context, string visitor)
    {
        var expires = timeProvider.GetUtcNow() + TokenLifetimes.Visitor;
        context.Response.Cookies.Append(VisitorCookie, tokens.Issue(TokenKind.Visitor, string.Empty, visitor, string.Empty, expires), Options(expires));
    }

    /// <summary>Sets the admission cookie for a fresh (or slid) session.</summary>
    public void SetAdmission(HttpContext context, Room room, string visitor, string ticket)
    {
        var expires = timeProvider.GetUtcNow() + TokenLifetimes.Admission(room.Options);
        context.Response.Cookies.Append(room.CookieName, tokens.Issue(TokenKind.Admission, room.Name, visitor, ticket, expires), Options(expires));
    }

    public void ClearAdmission(HttpContext context, Room room) =>
        context.Response.Cookies.Delete(room.CookieName, Options(null));

    private CookieOptions Options(DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        Secure = _secure,
        SameSite = SameSiteMode.Lax,
        Path = "/",
        Expires = expires,
        IsEssential = true,
    };
}
