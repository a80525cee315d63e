namespace YarpWaitingRoom.Bench.Scenarios;

/// <summary>
/// One socket still waiting when the last seat went: when it first heard <c>{"type":"soldout"}</c> (ms into the run; null:
/// never) and how many such notices it got in all (one is right).
/// </summary>
internal sealed record SoldOutHearing(double? HeardAtMs, int Notices);
