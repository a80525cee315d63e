using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace YarpWaitingRoom.Limits;

/// <summary>
/// A client as the rate limits see it: its address and the network it belongs to (an IPv4 <c>/24</c> or an IPv6 <c>/64</c>
/// by default: one subscriber's IPv6 prefix, and the block an IPv4 host can most cheaply rotate through). Both are
/// written in canonical form, so one client always lands on the same keys; an IPv4 address that arrives mapped into
/// IPv6 (<c>::ffff:203.0.113.7</c>, a dual-stack socket) counts as the IPv4 address it is.
/// </summary>
internal readonly record struct ClientNetwork(string Address, string Network)
{
    /// <summary>The client and its network for the given prefix lengths.</summary>
    public static ClientNetwork Of(IPAddress address, int ipv4Prefix, int ipv6Prefix)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var prefix = address.AddressFamily == AddressFamily.InterNetwork ? ipv4Prefix : ipv6Prefix;
        var bytes = address.GetAddressBytes();
        ArgumentOutOfRangeException.ThrowIfNegative(prefix);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefix, bytes.Length * 8);
        for (var bit = prefix; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        // The scope id (fe80::1%eth0) is not part of the network.
        var plain = address.AddressFamily == AddressFamily.InterNetworkV6 ? new IPAddress(address.GetAddressBytes()) : address;
        return new ClientNetwork(
            plain.ToString(),
            new IPAddress(bytes).ToString() + "/" + prefix.ToString(CultureInfo.InvariantCulture));
    }
}
