using YarpWaitingRoom.Queue;

namespace YarpWaitingRoom.Yarp.Contracts;

/// <summary>A room as operators see it.</summary>
/// <remarks>
/// <c>MaxActive</c>: the one in force (an operator's set at runtime, else the configured <c>MaxActiveConfigured</c>).
/// <c>EtaAtBackSeconds</c>: the estimated wait of a visitor joining now (behind everyone waiting), null when unknown or nobody waits.
/// <c>MaxPlacesPerNetwork</c>: the room's cap on waiting places per client network in force (0 = off; an operator's set
/// at runtime, else the configured <c>MaxPlacesPerNetworkConfigured</c>); with it on,
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
    int MaxPlacesPerNetworkConfigured = 0,
    long NetworksAtCap = 0,
    IReadOnlyList<NetworkCount>? BusiestNetworks = null,
    double? EtaAtBackSeconds = null);

/// <summary>The figures of a room's view beyond its state (<see cref="Endpoints.AdminApi.ReadFiguresAsync"/>).</summary>
/// <param name="Stats">Admissions, departures and the median wait, per minute.</param>
/// <param name="Entry">The gates' entry tally, every field.</param>
/// <param name="Networks">The busiest networks; null with the per-network cap off.</param>
internal sealed record RoomFigures(RoomStats Stats, IReadOnlyDictionary<string, long> Entry, NetworkPlaces? Networks);
