using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using IPNetwork = System.Net.IPNetwork;

namespace YarpWaitingRoom.Hosting;

/// <summary>
/// Which proxies (nginx) are believed when they say who the client is (<c>X-Forwarded-For</c>) and how it came
/// (<c>X-Forwarded-Proto</c>). Each entry is an address (<c>172.30.80.10</c>, <c>::1</c>) or a network in CIDR form
/// (<c>10.0.0.0/8</c>); none means loopback only, as the edge nginx runs on the same host. Proxies and hubs read their
/// own list (<c>WaitingRoom:Gate:TrustedProxies</c>, <c>SocketHub:TrustedProxies</c>) with these rules.
/// </summary>
internal static class TrustedProxies
{
    private static readonly string[] Loopback = ["127.0.0.1", "::1"];

    /// <summary>The parsed entries (loopback when there are none): single addresses, and networks.</summary>
    /// <exception cref="FormatException">An entry is neither an address nor a network.</exception>
    public static (IReadOnlyList<IPAddress> Addresses, IReadOnlyList<IPNetwork> Networks) Parse(IReadOnlyList<string> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var addresses = new List<IPAddress>();
        var networks = new List<IPNetwork>();
        foreach (var entry in entries.Count == 0 ? Loopback : entries)
        {
            if (!TryParse(entry, out var address, out var network))
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

    /// <summary>One validation error per entry that is neither an address nor a network, naming its configuration key.</summary>
    public static IEnumerable<ValidationResult> Validate(IReadOnlyList<string> entries, string key, string memberName)
    {
        ArgumentNullException.ThrowIfNull(entries);
        for (var i = 0; i < entries.Count; i++)
        {
            if (!TryParse(entries[i], out _, out _))
            {
                yield return new ValidationResult(
                    $"{key}:{i} = '{entries[i]}' is neither an IP address (172.30.80.10) nor a CIDR network (10.0.0.0/8, no host bits set).",
                    [memberName]);
            }
        }
    }

    /// <summary>
    /// Configures the forwarded-headers middleware (<c>app.UseForwardedHeaders()</c>) to believe one hop of
    /// <c>X-Forwarded-For</c> / <c>-Proto</c> from the proxies <paramref name="entries"/> lists, and nobody else.
    /// </summary>
    public static IServiceCollection AddTrustedForwardedHeaders<TOptions>(this IServiceCollection services, Func<TOptions, IReadOnlyList<string>> entries)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(entries);
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<TOptions>>((forwarded, options) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.ForwardLimit = 1;
            forwarded.KnownIPNetworks.Clear();
            forwarded.KnownProxies.Clear();
            var (addresses, networks) = Parse(entries(options.Value));
            foreach (var address in addresses)
            {
                forwarded.KnownProxies.Add(address);
            }

            foreach (var network in networks)
            {
                forwarded.KnownIPNetworks.Add(network);
            }
        });
        return services;
    }

    /// <summary>An address, or a network whose written address is its base address (<c>10.0.0.5/8</c> is a typo, refused).</summary>
    private static bool TryParse(string entry, out IPAddress? address, out IPNetwork network)
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
