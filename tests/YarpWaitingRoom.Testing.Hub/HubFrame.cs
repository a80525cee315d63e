namespace YarpWaitingRoom.Testing.Hub;

/// <summary>A hub message as it is on the wire (every member the hub sends; absent ones are null).</summary>
internal sealed record HubFrame(string? Type, long? Position, double? EtaSeconds, bool? QueueOn, string? EnterUrl, string? Reason);
