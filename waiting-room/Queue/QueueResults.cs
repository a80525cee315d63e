namespace YarpWaitingRoom.Queue;

/// <summary>The outcome of a join.</summary>
/// <param name="Ticket">The visitor's ticket (the same one on every join while it lives).</param>
/// <param name="State">Waiting, Active when admitted directly (or already admitted), or Prequeue while a sale's pre-queue is open.</param>
/// <param name="Position">1-based place in the queue while waiting; 0 when active or in the pre-queue.</param>
/// <param name="IsNew">Whether this join created the ticket (or the pre-queue place).</param>
/// <param name="Receipt">In the pre-queue: the participant's receipt (<see cref="Scheduling.Receipts"/>), else null.</param>
/// <remarks>A refused join (<see cref="Refused"/>) is <see cref="TicketState.Gone"/> with no ticket.</remarks>
/// <param name="StartsAt">In an open pre-queue: the sale's start, as the join itself read it.</param>
internal readonly record struct JoinResult(string Ticket, TicketState State, long Position, bool IsNew, string? Receipt = null, DateTimeOffset? StartsAt = null)
{
    /// <summary>No place taken: the room closes once sold out (<c>WhenSoldOut = Close</c>) and no seat is left.</summary>
    public static JoinResult SoldOut { get; } = Refused(JoinRefusal.SoldOut);

    /// <summary>Why no place was taken; <see cref="JoinRefusal.None"/> when the visitor has one.</summary>
    public JoinRefusal Refusal { get; init; }

    /// <summary>Whether the join was refused (<see cref="Refusal"/> says why).</summary>
    public bool IsRefused => Refusal != JoinRefusal.None;

    /// <summary>A join that took no place, for <paramref name="refusal"/>.</summary>
    public static JoinResult Refused(JoinRefusal refusal) => new(string.Empty, TicketState.Gone, 0, false) { Refusal = refusal };
}

/// <summary>Why a join took no place (the visitor held none).</summary>
internal enum JoinRefusal
{
    /// <summary>Not refused.</summary>
    None = 0,

    /// <summary>The room closes once sold out and no seat is left.</summary>
    SoldOut,

    /// <summary>The room asks a credential for a new place (proof of work, invitation key) and the request brought none.</summary>
    CredentialNeeded,

    /// <summary>The proof's challenge was used before (any proxy, any nonce).</summary>
    ProofReplayed,

    /// <summary>
    /// The client's network holds <see cref="Options.RoomOptions.MaxPlacesPerNetwork"/> waiting places in the room already
    /// (a direct admission is never refused for it).
    /// </summary>
    NetworkCap,
}

/// <summary>
/// What a join may do besides answering a held place (<see cref="QueueStore.JoinAsync(string, bool, JoinConditions)"/>). The default takes a new place
/// freely, as a room without challenge or invitation does.
/// </summary>
/// <param name="MayTakePlace">
/// False when the room asks a credential the request did not bring: a held place is still answered, a new one is refused
/// (<see cref="JoinRefusal.CredentialNeeded"/>) in the same call.
/// </param>
/// <param name="Proof">The valid proof the request brought, spent (once, across proxies) only if a new place is taken.</param>
/// <param name="Network">
/// The client's network (its /24 or /64, as the gate's <c>PlaceNetwork</c> computes it), counted against the room's
/// <see cref="Options.RoomOptions.MaxPlacesPerNetwork"/> if the join takes a waiting place; null: not counted.
/// </param>
internal readonly record struct JoinConditions(bool MayTakePlace = true, Challenges.VerifiedProof? Proof = null, string? Network = null)
{
    public static JoinConditions Free { get; } = new(true);
}

/// <summary>The outcome of one admission batch.</summary>
/// <param name="Admitted">Visitors moved from waiting to active.</param>
/// <param name="Expired">Active sessions dropped for running past their expiry.</param>
/// <param name="Fenced">True when a newer lock holder had already admitted: this call changed nothing.</param>
/// <param name="Waiting">Visitors still waiting.</param>
/// <param name="Active">Visitors active now.</param>
/// <param name="Tickets">The admitted tickets, oldest first.</param>
/// <param name="Waits">Time in queue of the admitted, per bucket of <see cref="WaitBuckets.Bounds"/> (plus the open last bucket).</param>
internal sealed record AdmitResult(int Admitted, int Expired, bool Fenced, long Waiting, long Active, IReadOnlyList<string> Tickets, IReadOnlyList<WaitBucket> Waits);

/// <summary>How many admitted visitors waited up to a bucket's bound, and their total wait.</summary>
internal readonly record struct WaitBucket(long Count, TimeSpan Total);

/// <param name="Reaped">Visitors removed for not being seen (one abandoned event each).</param>
/// <param name="FreedActive">How many of them held an active slot (capacity freed: admit at once).</param>
/// <param name="NetworksAtCap">Client networks holding the room's <c>MaxPlacesPerNetwork</c> waiting places after the reap (0 with the cap off).</param>
internal readonly record struct ReapResult(int Reaped, int FreedActive, long NetworksAtCap = 0);

/// <summary>A ticket's place right now.</summary>
/// <param name="State">Waiting, active or gone.</param>
/// <param name="Position">1-based place while waiting, else 0.</param>
/// <param name="Reason">Why it is gone (when <paramref name="State"/> is Gone and the room recorded it).</param>
/// <param name="Sequence">Its place in the order while waiting (the waiting score: what <see cref="PositionBook"/> computes places from), else 0.</param>
/// <param name="Receipt">In the pre-queue: the participant's receipt, else null.</param>
/// <param name="Placed">For a pre-queue ticket the draw has placed: the ticket of that place (what the rest is about), else null.</param>
internal readonly record struct TicketStatus(
    TicketState State, long Position, GoneReason Reason = GoneReason.Unknown, long Sequence = 0, string? Receipt = null, string? Placed = null);

internal enum RedeemResult
{
    /// <summary>The code was unused and the admission alive: the session starts.</summary>
    Redeemed,

    /// <summary>This code has been used already.</summary>
    AlreadyUsed,

    /// <summary>The admission is gone (claim window passed, reaped, ended).</summary>
    AdmissionGone,
}

/// <summary>A room's recent throughput, for operators.</summary>
/// <param name="AdmittedPerMinute">Visitors admitted over the last minute (sliding).</param>
/// <param name="AbandonedPerMinute">Visitors reaped for not being seen, over the last minute.</param>
/// <param name="ExpiredPerMinute">Sessions that ran out, over the last minute.</param>
/// <param name="EndedPerMinute">Sessions ended on purpose (purchase done), over the last minute.</param>
/// <param name="MedianWaitSeconds">Median time in queue of recent admissions; null when nobody was admitted.</param>
internal sealed record RoomStats(double AdmittedPerMinute, double AbandonedPerMinute, double ExpiredPerMinute, double EndedPerMinute, double? MedianWaitSeconds);

/// <summary>Waiting places per client network in a room (<see cref="QueueStore.GetNetworkPlacesAsync"/>).</summary>
/// <param name="Networks">Networks holding at least one waiting place.</param>
/// <param name="AtCap">Networks holding <see cref="Options.RoomOptions.MaxPlacesPerNetwork"/> places (0 with the cap off).</param>
/// <param name="Busiest">The networks holding the most, most first.</param>
internal sealed record NetworkPlaces(long Networks, long AtCap, IReadOnlyList<NetworkCount> Busiest);

/// <summary>A client network (<c>203.0.113.0/24</c>, <c>2001:db8::/64</c>) and the waiting places it holds.</summary>
internal readonly record struct NetworkCount(string Network, long Places);

/// <summary>What recording an inventory did.</summary>
/// <param name="Applied">False when a newer observation was kept (this one changed nothing).</param>
/// <param name="Before">What was left before (null: unknown).</param>
/// <param name="After">What is left now (null: unknown).</param>
internal readonly record struct InventoryChange(bool Applied, long? Before, long? After)
{
    /// <summary>Whether the room became sold out, or stopped being.</summary>
    public bool SoldOutChanged => (Before == 0) != (After == 0);
}

/// <summary>The room's inventory as last recorded: what is left, and when it was observed.</summary>
internal sealed record InventoryView(long Remaining, DateTimeOffset ObservedAt);

/// <summary>The outcome of <see cref="QueueStore.LeaveAsync"/>.</summary>
internal enum LeaveResult
{
    /// <summary>Being drawn (the sale's start froze the pre-queue): nothing changed; ask again once drawn.</summary>
    Drawing = -1,

    /// <summary>The ticket holds no place to leave: admitted, or gone already.</summary>
    NoPlace = 0,

    /// <summary>The place was given up.</summary>
    Left = 1,
}
