using YarpWaitingRoom.Options;
using YarpWaitingRoom.Protocol;

namespace YarpWaitingRoom.Tokens;

/// <summary>The admitted visitor's one-time entry link, issued alike by proxies (ticket status) and hubs (notices).</summary>
internal static class EntryLinks
{
    /// <summary>A fresh entry link for <paramref name="visitor"/>'s admitted <paramref name="ticket"/>, valid for the claim window.</summary>
    public static string IssueEntryLink(this TokenService tokens, string room, RoomOptions options, string visitor, string ticket, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var code = tokens.Issue(TokenKind.EntryCode, room, visitor, ticket, now + TokenLifetimes.EntryCode(options));
        return WaitingRoomPaths.Enter(room, code);
    }
}
