namespace YarpWaitingRoom.Hub.Diagnostics;

/// <summary>Event ids of this assembly's log lines, a range per component.</summary>
internal static class EventIds
{
    // 1xx: sockets and the page
    public const int TicketRejected = 100;
    public const int FrameRejected = 101;
    public const int SlowClient = 102;
    public const int PageTicketRejected = 103;
    public const int GreetingRedisUnavailable = 104;
    public const int Drained = 105;
    public const int RefusedWhileDraining = 106;
    public const int OriginRefused = 107;
    public const int AddressCapReached = 108;

    // 2xx: push, heartbeats, admission notices
    public const int PushFailed = 200;
    public const int HeartbeatFlushFailed = 201;
    public const int NoticeFailed = 202;
    public const int SubscribeFailed = 203;
    public const int PositionMismatch = 204;
}
