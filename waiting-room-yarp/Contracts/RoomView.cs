namespace YarpWaitingRoom.Yarp.Contracts;

/// <summary>A room as operators see it.</summary>
internal sealed record RoomView(
    string Room,
    string Mode,
    bool QueueOn,
    DateTimeOffset Since,
    string Reason,
    double RatePerSecond,
    double RateTenSecondAverage,
    long Waiting,
    long Active,
    int MaxActive,
    double AdmittedPerMinute,
    double AbandonedPerMinute,
    double? MedianWaitSeconds,
    double AdmitRatePerSecond,
    DateTimeOffset? LastAdmissionRun,
    bool AdmissionStalled,
    long? InventoryRemaining = null,
    bool SoldOut = false,
    ChallengeSetting? Challenge = null,
    string Access = "Open",
    IReadOnlyDictionary<string, long>? Entry = null);
