using System.Globalization;

namespace YarpWaitingRoom.Protocol;

/// <summary>
/// The visitor-facing URLs, built in one place: the edge routes <see cref="WaitPrefix"/> and <see cref="Socket"/> to the
/// hubs and the rest to the proxies (nginx/edge.conf.template), and every link a proxy or hub hands out comes from here.
/// </summary>
internal static class WaitingRoomPaths
{
    /// <summary>Everything the waiting room serves itself lives under this prefix.</summary>
    public const string Prefix = "/_wr";

    /// <summary>The waiting page: <c>/_wr/wait/&lt;room&gt;?t=&lt;ticket&gt;&amp;return=&lt;url&gt;</c> (served by the hubs).</summary>
    public const string WaitPrefix = Prefix + "/wait";

    /// <summary>The waiting page's script and styles (served by the hubs).</summary>
    public const string WaitAssets = Prefix + "/wait-assets";

    /// <summary>The WebSocket: <c>/ws?room=&lt;room&gt;&amp;t=&lt;ticket&gt;</c> (served by the hubs).</summary>
    public const string Socket = "/ws";

    /// <summary>Entry with a one-time code: <c>/_wr/enter/&lt;room&gt;?code=&lt;code&gt;</c> (served by the proxies).</summary>
    public const string EnterPrefix = Prefix + "/enter";

    /// <summary>Ticket status (polling): <c>/_wr/rooms/&lt;room&gt;/tickets/&lt;ticket&gt;</c> (served by the proxies).</summary>
    public const string RoomsPrefix = Prefix + "/rooms";

    /// <summary>
    /// The keep-alive script a protected site includes once (<c>&lt;script src="/_wr/keepalive.js" defer&gt;&lt;/script&gt;</c>):
    /// it heartbeats for the admitted visitor to <see cref="KeepAlive"/> while the page is open (served by the proxies).
    /// </summary>
    public const string KeepAliveScript = Prefix + "/keepalive.js";

    /// <summary>
    /// An admitted visitor's heartbeat: <c>POST /_wr/alive</c>, the admission cookies name the tickets (served by the
    /// proxies).
    /// </summary>
    public const string KeepAlive = Prefix + "/alive";

    /// <summary>The operators' API (served by the proxies, behind <see cref="WaitingRoomHeaders.AdminKey"/>).</summary>
    public const string AdminPrefix = Prefix + "/admin";

    public static string WaitPage(string room, string ticketToken, string returnUrl) =>
        string.Create(CultureInfo.InvariantCulture, $"{WaitPrefix}/{Uri.EscapeDataString(room)}?t={Uri.EscapeDataString(ticketToken)}&return={Uri.EscapeDataString(returnUrl)}");

    public static string SocketUrl(string room, string ticketToken) =>
        string.Create(CultureInfo.InvariantCulture, $"{Socket}?room={Uri.EscapeDataString(room)}&t={Uri.EscapeDataString(ticketToken)}");

    public static string Enter(string room, string code) =>
        string.Create(CultureInfo.InvariantCulture, $"{EnterPrefix}/{Uri.EscapeDataString(room)}?code={Uri.EscapeDataString(code)}");

    public static string TicketStatus(string room, string ticketToken) =>
        string.Create(CultureInfo.InvariantCulture, $"{RoomsPrefix}/{Uri.EscapeDataString(room)}/tickets/{Uri.EscapeDataString(ticketToken)}");

    /// <summary>Giving up a place on purpose: <c>POST /_wr/rooms/&lt;room&gt;/tickets/&lt;ticket&gt;/leave</c> (served by the proxies).</summary>
    public static string Leave(string room, string ticketToken) => TicketStatus(room, ticketToken) + "/leave";

    /// <summary>
    /// What a room that closes once sold out shows a browser it turns away: <c>/_wr/wait/&lt;room&gt;/sold-out</c> (served
    /// by the hubs: 410 with the sold-out page while it lasts, else back to <paramref name="returnUrl"/>).
    /// </summary>
    public static string SoldOutPage(string room, string returnUrl) =>
        string.Create(CultureInfo.InvariantCulture, $"{WaitPrefix}/{Uri.EscapeDataString(room)}/sold-out?return={Uri.EscapeDataString(returnUrl)}");

    /// <summary>
    /// Where the gate sends a browser without a place while the room's challenge is on: <c>/_wr/wait/&lt;room&gt;/challenge</c>
    /// (served by the hubs: a Web Worker solves it, then the browser goes back to <paramref name="returnUrl"/> with the proof).
    /// </summary>
    public static string ChallengePage(string room, string returnUrl) =>
        string.Create(CultureInfo.InvariantCulture, $"{WaitPrefix}/{Uri.EscapeDataString(room)}/challenge?return={Uri.EscapeDataString(returnUrl)}");

    /// <summary>
    /// A room's scheduled sale and, once drawn, the draw anyone can check: <c>/_wr/rooms/&lt;room&gt;/event</c> (served by the
    /// proxies, no key; the waiting page links it).
    /// </summary>
    public static string RoomEvent(string room) =>
        string.Create(CultureInfo.InvariantCulture, $"{RoomsPrefix}/{Uri.EscapeDataString(room)}/event");
}
