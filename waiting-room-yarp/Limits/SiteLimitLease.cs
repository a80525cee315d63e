using System.Threading.RateLimiting;

namespace YarpWaitingRoom.Yarp.Limits;

/// <summary>The decision of <see cref="SiteRateLimiter"/>: allowed, or refused by one limit with a Retry-After.</summary>
internal sealed class SiteLimitLease : RateLimitLease
{
    private static readonly string[] RetryAfterOnly = [MetadataName.RetryAfter.Name];

    private readonly TimeSpan _retryAfter;

    private SiteLimitLease(bool isAcquired, SiteLimit? refusedBy, TimeSpan retryAfter)
    {
        IsAcquired = isAcquired;
        RefusedBy = refusedBy;
        _retryAfter = retryAfter;
    }

    public static SiteLimitLease Acquired { get; } = new(true, null, TimeSpan.Zero);

    /// <summary>
    /// What a limit that can only decide asynchronously (a Redis round trip) answers to a synchronous attempt: not
    /// acquired, so ASP.NET Core's rate-limiting middleware goes on to <c>AcquireAsync</c>, where the decision is made.
    /// </summary>
    public static SiteLimitLease Undecided { get; } = new(false, null, TimeSpan.Zero);

    public static SiteLimitLease Refused(SiteLimit limit, TimeSpan retryAfter) => new(false, limit, retryAfter);

    public override bool IsAcquired { get; }

    /// <summary>The limit that refused; null when acquired.</summary>
    public SiteLimit? RefusedBy { get; }

    public override IEnumerable<string> MetadataNames => RefusedBy is null ? [] : RetryAfterOnly;

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        if (RefusedBy is not null && metadataName == MetadataName.RetryAfter.Name)
        {
            metadata = _retryAfter;
            return true;
        }

        metadata = null;
        return false;
    }
}
