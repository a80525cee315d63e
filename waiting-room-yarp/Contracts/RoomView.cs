using YarpWaitingRoom.Queue;

namespace YarpWaitingRoom.Yarp.Contracts;

/// <summary>A room as operators see it.</summary>
/// <remarks>
/// <c>MaxActive</c>: the one in force (an operator's set at runtime, else the configured <c>MaxActiveConfigured</c>).
/// <c>MaxPlacesPerNetwork</c>: the room's cap on waiting places per client network (0 = off); with it on,
/// <c>NetworksAtCap</c> networks hold that many, and <c>BusiestNetworks</c> are the (at most
/// <see cref="Endpoints.AdminApi.BusiestNetworksShown"/>) networks holding the most.
/// </remarks>
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
    int MaxActiveConfigured,
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
    IReadOnlyDictionary<string, long>? Entry = null,
    int MaxPlacesPerNetwork = 0,
    long NetworksAtCap = 0,
    IReadOnlyList<NetworkCount>? BusiestNetworks = null);
