using System.Net.WebSockets;

namespace YarpWaitingRoom.Hub.Sessions;

/// <summary>The hub's own WebSocket close codes (RFC 6455 leaves 4000–4999 to applications); <c>wait.js</c> knows them too.</summary>
internal static class HubCloseCodes
{
    /// <summary>
    /// 4001: the ticket opened more than <see cref="Extensions.SocketHubOptions.MaxSocketsPerTicket"/> sockets in this hub and
    /// this one, the oldest, gave way to the newest. The page does not reconnect (the newer tab has the place).
    /// </summary>
    public const WebSocketCloseStatus Replaced = (WebSocketCloseStatus)4001;

    public const string ReplacedDescription = "replaced by a newer connection";
}
