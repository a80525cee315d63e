namespace YarpWaitingRoom.Bench.Scenarios;

/// <summary>What one visitor's journey came to: the outcome, its times, and how many seats were free when it looked.</summary>
internal sealed record JourneyResult(JourneyOutcome Outcome, double? QueueSeconds = null, double? PurchaseSeconds = null, int? FreeSeats = null)
{
    /// <summary>The outcome as the summaries print it (<c>purchased</c>, <c>gave-up</c>, <c>sold-out</c>, …).</summary>
    public static string Label(JourneyOutcome outcome) => outcome switch
    {
        JourneyOutcome.Purchased => "purchased",
        JourneyOutcome.GaveUp => "gave-up",
        JourneyOutcome.Gone => "gone",
        JourneyOutcome.SoldOut => "sold-out",
        JourneyOutcome.Conflicts => "conflicts",
        JourneyOutcome.Error => "error",
        JourneyOutcome.Cancelled => "cancelled",
        _ => outcome.ToString(),
    };
}
