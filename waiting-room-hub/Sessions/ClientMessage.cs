namespace YarpWaitingRoom.Hub.Sessions;

/// <summary>Client → server. Only <c>{"type":"heartbeat"}</c> is defined.</summary>
internal sealed record ClientMessage(string? Type);
