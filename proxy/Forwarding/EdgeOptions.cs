using System.ComponentModel.DataAnnotations;

namespace YarpWaitingRoom.Proxy.Forwarding;

/// <summary>
/// Bound from <c>WaitingRoom:Gate</c> by the stock proxy only: whose forwarded headers it believes. A gateway that embeds
/// the waiting room configures its own forwarded-headers middleware instead.
/// </summary>
internal sealed class EdgeOptions : IValidatableObject
{
    public const string SectionName = "WaitingRoom:Gate";

    /// <summary>
    /// The proxies (nginx) whose X-Forwarded-For / X-Forwarded-Proto are believed; nobody else's are. Each entry is an
    /// address (<c>172.30.80.10</c>, <c>::1</c>) or a network in CIDR form (<c>10.0.0.0/8</c>), e.g. a load balancer pool
    /// whose members change. Empty means loopback only, as the edge nginx runs on the same host.
    /// </summary>
    public IReadOnlyList<string> TrustedProxies { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        Hosting.TrustedProxies.Validate(TrustedProxies, SectionName + ":" + nameof(TrustedProxies), nameof(TrustedProxies));
}
