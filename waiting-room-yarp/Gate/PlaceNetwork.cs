using YarpWaitingRoom.Hosting;
using YarpWaitingRoom.Limits;

namespace YarpWaitingRoom.Yarp.Gate;

/// <summary>
/// The client network a waiting place counts against (<see cref="Options.RoomOptions.MaxPlacesPerNetwork"/>): the
/// client's address as the rate limits see it (<see cref="ClientRateLimiting.ClientAddress"/>), grouped into its IPv4
/// <c>/24</c> or IPv6 <c>/64</c> (<see cref="ClientNetwork"/>'s canonical form). The prefixes are fixed, whatever the rate
/// limits' own network prefixes are set to: a cap on places is about who holds them, not about how fast they ask.
/// </summary>
internal static class PlaceNetwork
{
    /// <summary>Prefix length of an IPv4 client's network for the cap.</summary>
    public const int IPv4Prefix = 24;

    /// <summary>Prefix length of an IPv6 client's network for the cap (one subscriber's prefix).</summary>
    public const int IPv6Prefix = 64;

    /// <summary>The network of the request's client, e.g. <c>203.0.113.0/24</c> or <c>2001:db8:1:2::/64</c>.</summary>
    public static string Of(HttpContext context) =>
        ClientNetwork.Of(ClientRateLimiting.ClientAddress(context), IPv4Prefix, IPv6Prefix).Network;
}
