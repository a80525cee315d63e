using YarpWaitingRoom.Options;

namespace YarpWaitingRoom.Tokens;

/// <summary>How long each kind of token is issued for: one place for every issuer (proxies and hubs).</summary>
internal static class TokenLifetimes
{
    /// <summary>A ticket token (<c>t=</c>) lives long enough for any wait; the place itself is kept alive by heartbeats.</summary>
    public static readonly TimeSpan Ticket = TimeSpan.FromHours(12);

    /// <summary>The <c>wr_vid</c> visitor token: who a browser is, across visits.</summary>
    public static readonly TimeSpan Visitor = TimeSpan.FromDays(30);

    /// <summary>A one-time entry code: the room's claim window.</summary>
    public static TimeSpan EntryCode(RoomOptions room)
    {
        ArgumentNullException.ThrowIfNull(room);
        return room.ClaimWindow;
    }

    /// <summary>An admission cookie: one session, slid while the visitor is active.</summary>
    public static TimeSpan Admission(RoomOptions room)
    {
        ArgumentNullException.ThrowIfNull(room);
        return room.SessionDuration;
    }
}
