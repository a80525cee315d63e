namespace YarpWaitingRoom.Reservation.Diagnostics;

/// <summary>Event ids of this assembly's log lines, a range per component.</summary>
internal static class EventIds
{
    // 1xx: start-up and database
    public const int DatabaseMigrating = 100;
    public const int DatabaseMigrated = 101;
    public const int DatabaseSeeded = 102;
    public const int DatabaseNotReachable = 103;
    public const int DatabaseUnavailable = 104;
    public const int DatabaseMigrationUnlockFailed = 105;

    // 2xx: API
    public const int MissingVisitor = 200;
    public const int MalformedVisitor = 201;

    // 3xx: holds in the background
    public const int HoldsExpired = 300;
    public const int HoldSweepFailed = 301;

    // 4xx: waiting-room event consumer
    public const int ConsumerGroupCreated = 400;
    public const int VisitorHoldsReleased = 401;
    public const int DuplicateEntrySkipped = 402;
    public const int MalformedEntry = 403;
    public const int ConsumerFailed = 404;
    public const int PendingEntriesResumed = 405;
    public const int EntriesClaimed = 406;
    public const int ConsumerForgotten = 407;

    // 5xx: admin
    public const int AdminKeyRejected = 500;
    public const int SeatsFreed = 501;

    // 6xx: inventory
    public const int InventoryCountFailed = 600;
    public const int InventoryPublished = 601;
    public const int InventoryPerformanceUnknown = 602;
    public const int InventoryPublishFailed = 603;
}
