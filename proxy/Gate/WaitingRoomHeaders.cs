namespace YarpWaitingRoom.Proxy.Gate;

public static class WaitingRoomHeaders
{
    /// <summary>Set by the proxy on admitted requests (any inbound copy is removed first).</summary>
    public const string Visitor = "X-WaitingRoom-Visitor";

    /// <summary>Backend response header; <c>end-session</c> ends the visitor's session. Never reaches the client.</summary>
    public const string Command = "X-WaitingRoom-Command";

    public const string EndSessionCommand = "end-session";

    /// <summary>Route metadata key that puts a YARP route into a room.</summary>
    public const string RouteMetadataKey = "WaitingRoom";
}
