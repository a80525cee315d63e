using System.ComponentModel.DataAnnotations;

namespace YarpWaitingRoom.Hosting;

/// <summary>
/// Bound from <c>WaitingRoom:RateLimits</c>. The proxies limit joins and admin calls for the whole site (per address
/// and, for joins, per network) and the visitor endpoints per address on each instance; the hubs apply the visitor
/// limit to the waiting page and WebSocket upgrades.
/// </summary>
internal sealed class RateLimitOptions
{
    public const string SectionName = Options.WaitingRoomOptions.SectionName + ":" + SubsectionName;

    /// <summary>The section under the waiting room's own (<c>RateLimits</c>).</summary>
    public const string SubsectionName = "RateLimits";

    /// <summary>Joins (requests of visitors without admission at gated routes) per second per address.</summary>
    [Range(1, 1_000_000)]
    public int JoinPerSecond { get; set; } = 20;

    /// <summary>Join burst per address (many visitors may share one address behind a NAT).</summary>
    [Range(1, 1_000_000)]
    public int JoinBurst { get; set; } = 100;

    /// <summary>Joins per second per network (<see cref="IPv4NetworkPrefix"/>, <see cref="IPv6NetworkPrefix"/>).</summary>
    [Range(1, 1_000_000)]
    public int JoinPerNetworkPerSecond { get; set; } = 200;

    /// <summary>Join burst per network: a carrier NAT puts many people in one /24.</summary>
    [Range(1, 1_000_000)]
    public int JoinNetworkBurst { get; set; } = 1000;

    /// <summary>
    /// Joins that make a new visitor (no valid <c>wr_vid</c> cookie: a new visitor id, so a new place) per second per
    /// address; also bounded by the join limits. A known visitor's repeated join keeps its place and costs none of these.
    /// </summary>
    [Range(1, 1_000_000)]
    public int NewPlacePerSecond { get; set; } = 5;

    [Range(1, 1_000_000)]
    public int NewPlaceBurst { get; set; } = 50;

    /// <summary>New visitors per second per network.</summary>
    [Range(1, 1_000_000)]
    public int NewPlacePerNetworkPerSecond { get; set; } = 50;

    [Range(1, 1_000_000)]
    public int NewPlaceNetworkBurst { get; set; } = 500;

    /// <summary>Prefix length of an IPv4 client's network.</summary>
    [Range(8, 32)]
    public int IPv4NetworkPrefix { get; set; } = 24;

    /// <summary>Prefix length of an IPv6 client's network (a /64 is one subscriber's, and one host may rotate through it).</summary>
    [Range(16, 128)]
    public int IPv6NetworkPrefix { get; set; } = 64;

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

    /// <summary>
    /// Console sign-ins per second per address, site-wide, on top of <see cref="AdminPerSecond"/>: a wrong key costs an
    /// attempt like a right one.
    /// </summary>
    [Range(1, 1_000_000)]
    public int AdminSignInPerSecond { get; set; } = 1;

    [Range(1, 1_000_000)]
    public int AdminSignInBurst { get; set; } = 5;
}
