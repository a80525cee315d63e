namespace YarpWaitingRoom.OpsTests.Compose;

/// <summary>One entry of a service's <c>ports</c>: <paramref name="Published"/> on the host (null: not published) to <paramref name="Target"/>.</summary>
internal sealed record PortMapping(string? HostIp, int? Published, int Target);
