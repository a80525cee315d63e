using System.ComponentModel.DataAnnotations;

namespace YarpWaitingRoom.SocketHub.Forwarding;

/// <summary>
/// Bound from <c>SocketHub</c> by the stock hub only: whose forwarded headers it believes. A site that embeds the hub
/// configures its own forwarded-headers middleware instead.
/// </summary>
internal sealed class HubEdgeOptions : IValidatableObject
{
    public const string SectionName = "SocketHub";

    /// <summary>
    /// The proxies (nginx) whose X-Forwarded-For / -Proto are believed: addresses or CIDR networks; empty means loopback
    /// only (see <see cref="Hosting.TrustedProxies"/>). The client address they report is what the per-address limits count.
    /// </summary>
    public IReadOnlyList<string> TrustedProxies { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        Hosting.TrustedProxies.Validate(TrustedProxies, SectionName + ":" + nameof(TrustedProxies), nameof(TrustedProxies));
}
