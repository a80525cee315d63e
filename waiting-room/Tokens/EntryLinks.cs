using YarpWaitingRoom.Options;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Queue;

namespace YarpWaitingRoom.Tokens;

/// <summary>The admitted visitor's one-time entry link, issued alike by proxies (ticket status) and hubs (notices).</summary>
internal static class EntryLinks
{
    /// <summary>
    /// A fresh entry link for <paramref name="visitor"/>'s admitted <paramref name="ticket"/>, valid for the claim window;
    /// its code carries <paramref name="returnUrl"/> (from the ticket token) to the enter endpoint when it is local.
    /// </summary>
    public static string IssueEntryLink(this TokenService tokens, string room, RoomOptions options, string visitor, string ticket, DateTimeOffset now, string? returnUrl)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var code = tokens.Issue(
            TokenKind.EntryCode, room, visitor, ticket, now + TokenLifetimes.EntryCode(options), LocalUrls.IsLocal(returnUrl) ? returnUrl : null);
        return WaitingRoomPaths.Enter(room, code);
    }
}
