namespace YarpWaitingRoom.Yarp.Contracts;

/// <summary>Body of <c>PUT /_wr/admin/rooms/{room}/mode</c>.</summary>
internal sealed record ModeChange(string? Mode);
