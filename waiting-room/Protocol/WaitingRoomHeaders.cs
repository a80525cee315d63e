namespace YarpWaitingRoom.Protocol;

/// <summary>The HTTP headers and route metadata of the waiting room, between visitors, proxies, backends and operators.</summary>
internal static class WaitingRoomHeaders
{
    /// <summary>Set by the proxy on admitted requests (any inbound copy is removed first); a <see cref="VisitorIds"/> value.</summary>
    public const string Visitor = "X-WaitingRoom-Visitor";

    /// <summary>Backend response header; <see cref="EndSessionCommand"/> ends the visitor's session. Never reaches the client.</summary>
    public const string Command = "X-WaitingRoom-Command";

    /// <summary>
    /// Backend response header on a gated route: what is left to sell, a non-negative integer (the room's inventory).
    /// Proxies batch what they see (no Redis call per response); it never reaches the client.
    /// </summary>
    public const string Inventory = "X-WaitingRoom-Inventory";

    /// <summary>The <see cref="Command"/> value that ends the visitor's session (purchase done).</summary>
    public const string EndSessionCommand = "end-session";

    /// <summary>The operators' key, required by every admin endpoint.</summary>
    public const string AdminKey = "X-WaitingRoom-Admin-Key";

    /// <summary>
    /// The console session's CSRF token, required on every state-changing admin call made with the session cookie (a call
    /// with <see cref="AdminKey"/> needs none: no cookie rides along on it).
    /// </summary>
    public const string Csrf = "X-WaitingRoom-Csrf";

    /// <summary>Route metadata key that puts a YARP route into a room.</summary>
    public const string RouteMetadataKey = "WaitingRoom";
}
