namespace YarpWaitingRoom.Proxy.Gate;

/// <summary>The body of <c>GET /_wr/rooms/&lt;room&gt;/tickets/&lt;ticket&gt;</c>.</summary>
public sealed record TicketStatusResponse(string State, long? Position, double? EtaSeconds, bool QueueOn, string? EnterUrl);
