namespace YarpWaitingRoom.Bench.Scenarios;

/// <summary>One sell-out visitor's record, every time in ms from the run's start (null: it did not happen).</summary>
internal sealed record SelloutVisit(SelloutRole Role, double? ConnectedAtMs, double? AdmittedAtMs, double? SoldOutHeardMs, int SoldOutNotices, bool Failed);
