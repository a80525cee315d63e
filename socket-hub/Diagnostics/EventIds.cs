namespace YarpWaitingRoom.SocketHub.Diagnostics;

/// <summary>Event ids of this assembly's log lines.</summary>
internal static class EventIds
{
    public const int TicketRejected = 100;
    public const int FrameRejected = 101;
    public const int SlowClient = 102;
    public const int PushFailed = 200;
    public const int HeartbeatFlushFailed = 201;
    public const int NoticeFailed = 202;
    public const int SubscribeFailed = 203;
}
