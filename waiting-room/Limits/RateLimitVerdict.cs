namespace YarpWaitingRoom.Limits;

/// <summary>The answer of <see cref="RateLimitStore.TryTakeAsync"/>: allowed, or refused by one bucket with a wait.</summary>
/// <param name="RefusedBy">Index of the first bucket that refused, or -1 when every bucket allowed the request.</param>
/// <param name="RetryAfter">When the refusing bucket allows a request again; zero when allowed.</param>
internal readonly record struct RateLimitVerdict(int RefusedBy, TimeSpan RetryAfter)
{
    public static readonly RateLimitVerdict Allowed = new(-1, TimeSpan.Zero);

    public bool IsAllowed => RefusedBy < 0;
}
