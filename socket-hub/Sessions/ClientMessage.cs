namespace YarpWaitingRoom.SocketHub.Sessions;

/// <summary>Client → server. Only <c>{"type":"heartbeat"}</c> is defined.</summary>
public sealed record ClientMessage(string? Type);
