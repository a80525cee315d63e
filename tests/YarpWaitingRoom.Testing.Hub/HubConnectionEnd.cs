using System.Net.WebSockets;

namespace YarpWaitingRoom.Testing.Hub;

/// <summary>How one connection of a <see cref="HubClient"/> ended.</summary>
/// <param name="CloseStatus">The close code of the hub's close frame; null when the connection ended without one.</param>
/// <param name="CloseStatusDescription">The reason in the hub's close frame.</param>
/// <param name="Greeted">The hub sent at least one message on it (it accepted the ticket).</param>
/// <param name="ByClient">This client ended it: its close frame, <see cref="HubClient.DropAsync"/> or disposal.</param>
/// <param name="Lasted">From the open socket to its end.</param>
/// <param name="Error">What broke the connection when it ended neither by a close frame nor by this client.</param>
public sealed record HubConnectionEnd(
    WebSocketCloseStatus? CloseStatus,
    string? CloseStatusDescription,
    bool Greeted,
    bool ByClient,
    TimeSpan Lasted,
    Exception? Error);
