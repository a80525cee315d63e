using System.ComponentModel.DataAnnotations;
using System.Net;

namespace YarpWaitingRoom.Proxy.Gate;

/// <summary>Bound from <c>WaitingRoom:Gate</c>: how the gate behaves when Redis is slow or gone.</summary>
public sealed class GateOptions : IValidatableObject
{
    public const string SectionName = "WaitingRoom:Gate";

    /// <summary>A Redis call on the request path that takes longer is given up (busy, or a failure once stalled).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:10")]
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Timeouts count as Redis failures only once no call has succeeded for this long (a hung Redis); before that a
    /// timeout means busy (a spike): the request is shed with 503 and the room's failure policy is not applied.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan StallAfter { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Failures in a row that open the breaker.</summary>
    [Range(1, 1000)]
    public int BreakerFailures { get; set; } = 5;

    /// <summary>How long an open breaker skips Redis entirely before probing again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan BreakerOpenFor { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The proxies (nginx) whose X-Forwarded-For / X-Forwarded-Proto are believed; nobody else's are. Each entry is an
    /// address (<c>172.30.80.10</c>, <c>::1</c>) or a network in CIDR form (<c>10.0.0.0/8</c>), e.g. a load balancer pool
    /// whose members change. Empty means loopback only, as the edge nginx runs on the same host.
    /// </summary>
    public IReadOnlyList<string> TrustedProxies { get; set; } = [];

    /// <summary>The parsed <see cref="TrustedProxies"/>: single addresses, and networks.</summary>
    public (IReadOnlyList<IPAddress> Addresses, IReadOnlyList<IPNetwork> Networks) ParseTrustedProxies()
    {
        var entries = TrustedProxies.Count == 0 ? ["127.0.0.1", "::1"] : TrustedProxies;
        var addresses = new List<IPAddress>();
        var networks = new List<IPNetwork>();
        foreach (var entry in entries)
        {
            if (!TryParseTrusted(entry, out var address, out var network))
            {
                throw new FormatException($"'{entry}' is neither an IP address nor a CIDR network.");
            }

            if (address is not null)
            {
                addresses.Add(address);
            }
            else
            {
                networks.Add(network);
            }
        }

        return (addresses, networks);
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < TrustedProxies.Count; i++)
        {
            if (!TryParseTrusted(TrustedProxies[i], out _, out _))
            {
                yield return new ValidationResult(
                    $"{SectionName}:TrustedProxies:{i} = '{TrustedProxies[i]}' is neither an IP address (172.30.80.10) nor a CIDR network (10.0.0.0/8, no host bits set).",
                    [nameof(TrustedProxies)]);
            }
        }
    }

    /// <summary>An address, or a network whose written address is its base address (<c>10.0.0.5/8</c> is a typo, refused).</summary>
    private static bool TryParseTrusted(string entry, out IPAddress? address, out IPNetwork network)
    {
        network = default;
        var slash = entry.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return IPAddress.TryParse(entry, out address);
        }

        address = null;
        return IPNetwork.TryParse(entry, out network)
            && IPAddress.TryParse(entry.AsSpan(0, slash), out var written)
            && written.Equals(network.BaseAddress);
    }
}
