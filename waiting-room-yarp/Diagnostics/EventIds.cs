namespace YarpWaitingRoom.Yarp.Diagnostics;

/// <summary>Event ids of this assembly's log lines, a range per component.</summary>
internal static class EventIds
{
    // 1xx: gate
    public const int CookieRejected = 100;
    public const int RedisUnavailable = 101;
    public const int TicketRejected = 102;
    public const int CodeRejected = 103;
    public const int SessionEnded = 104;
    public const int RedisBusy = 105;
    public const int SiteLimitUnavailable = 106;
    public const int CookieRevoked = 107;
    public const int EndpointRedisFailed = 108;
    public const int SessionEndFailed = 109;
    public const int SessionSlideFailed = 110;
    public const int LeaveCrossSite = 111;
    public const int Left = 112;
    public const int SoldOutRefused = 113;
    public const int NetworkCapRefused = 120;

    // 2xx: traffic and switch
    public const int TrafficFlushFailed = 200;
    public const int SwitchTransition = 201;
    public const int SwitchEvaluationFailed = 202;
    public const int StateRefreshFailed = 203;
    public const int SwitchLeasesNotReleased = 204;
    public const int RevokedSyncFailed = 205;
    public const int SubscribeFailed = 206;

    // 3xx: admission and reaping
    public const int AdmissionBatch = 300;
    public const int AdmissionFailed = 301;
    public const int AdmissionStuck = 302;
    public const int Reaped = 303;
    public const int ReapFailed = 304;
    public const int AdmissionResumed = 305;
    public const int SaleDrawn = 306;
    public const int SaleDrawNotSwapped = 307;
    public const int InventoryRefused = 308;
    public const int InventoryFlushFailed = 309;

    // 4xx: admin
    public const int AdminKeyRejected = 400;
    public const int ModeChanged = 401;
    public const int RoomReset = 402;
    public const int ChallengeSet = 403;
    public const int MaxPlacesPerNetworkSet = 404;
    public const int MaxActiveSet = 410;

    // 41x: the operator console
    public const int AdminSessionRefused = 411;
    public const int AdminCsrfRefused = 412;
    public const int AdminSignedIn = 413;
    public const int AdminSignedOut = 414;
    public const int OperatorAction = 415;
    public const int ConsoleFeedFailed = 416;
    public const int OperatorActionNotRecorded = 417;
    public const int ConsoleSessionCheckFailed = 418;
    public const int ConsoleFeedCrashed = 419;
    public const int ConsoleSessionNoticeFailed = 420;

    // 5xx: keep-alive of admitted visitors
    public const int KeepAliveCookieRefused = 500;
    public const int KeepAliveCrossSite = 501;
    public const int KeepAliveFlushFailed = 502;

    // 6xx: bots and presales (challenges, invitation keys)
    public const int ProofRefused = 600;
    public const int InvitationRefused = 601;
    public const int EntryTallyFlushFailed = 602;
}
