namespace YarpWaitingRoom.Yarp.Contracts;

/// <summary>The 503 body for API clients who must wait.</summary>
internal sealed record QueuedResponse(string Room, string Ticket, long Position, double? EtaSeconds, string WaitUrl, string WsUrl);
