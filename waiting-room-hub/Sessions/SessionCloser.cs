using System.Net.WebSockets;
using YarpWaitingRoom.Hub.Diagnostics;

namespace YarpWaitingRoom.Hub.Sessions;

/// <summary>Ends sessions politely: the last message, then the close frame, both through the session's own send loop.</summary>
internal sealed class SessionCloser(HubMetrics metrics)
{
    /// <summary>Tells the client its place is lost (<c>expired</c>, <c>abandoned</c>, <c>revoked</c>) and closes normally.</summary>
    public void Gone(HubSession session, string reason)
    {
        if (session.Enqueue(HubMessages.Gone(reason)))
        {
            metrics.Out("gone");
        }

        Close(session, WebSocketCloseStatus.NormalClosure, "gone: " + reason);
    }

    public void Close(HubSession session, WebSocketCloseStatus status, string description)
    {
        metrics.Closed((int)status);
        session.CloseAfterSending(status, description);
    }
}
