using System.ComponentModel.DataAnnotations;

namespace YarpWaitingRoom.ServiceDefaults.RateLimiting;

/// <summary>
/// Bound from <c>WaitingRoom:RateLimits</c>: per-client-address token buckets. The proxies apply all three; the hubs
/// apply the visitor limit to the waiting page and WebSocket upgrades.
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "WaitingRoom:RateLimits";

    /// <summary>Joins (requests of visitors without admission at gated routes) per second per address.</summary>
    [Range(1, 1_000_000)]
    public int JoinPerSecond { get; set; } = 20;

    /// <summary>Join burst per address (many visitors may share one address behind a NAT).</summary>
    [Range(1, 1_000_000)]
    public int JoinBurst { get; set; } = 100;

    /// <summary>Entry, ticket-status, waiting-page and WebSocket-upgrade calls per second per address.</summary>
    [Range(1, 1_000_000)]
    public int VisitorPerSecond { get; set; } = 20;

    [Range(1, 1_000_000)]
    public int VisitorBurst { get; set; } = 100;

    /// <summary>Admin calls per second per address.</summary>
    [Range(1, 1_000_000)]
    public int AdminPerSecond { get; set; } = 5;

    [Range(1, 1_000_000)]
    public int AdminBurst { get; set; } = 30;
}
