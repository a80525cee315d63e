namespace YarpWaitingRoom.Yarp.Contracts;

/// <summary>
/// Body of <c>PUT /_wr/admin/rooms/{room}/event</c>. The times are read as strings so that a malformed one is refused
/// with its field's name (ISO 8601 with an offset or <c>Z</c>).
/// </summary>
internal sealed record EventRequest(string? Name, string? PrequeueOpensAt, string? StartsAt, string? Order);
