using System.Net;
using YarpWaitingRoom.Limits;

namespace YarpWaitingRoom.Tests.Limits;

public sealed class ClientNetworkTests
{
    [Theory]
    [InlineData("203.0.113.7", 24, 64, "203.0.113.7", "203.0.113.0/24")]
    [InlineData("203.0.113.255", 24, 64, "203.0.113.255", "203.0.113.0/24")]
    [InlineData("::ffff:203.0.113.7", 24, 64, "203.0.113.7", "203.0.113.0/24")]
    [InlineData("198.51.100.77", 30, 64, "198.51.100.77", "198.51.100.76/30")]
    [InlineData("2001:db8:1:2:3:4:5:6", 24, 64, "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2:ffff::1", 24, 64, "2001:db8:1:2:ffff::1", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2:3:4:5:6", 24, 48, "2001:db8:1:2:3:4:5:6", "2001:db8:1::/48")]
    [InlineData("fe80::1%2", 24, 64, "fe80::1", "fe80::/64")]
    public void Of_WritesTheAddressAndItsNetworkCanonically(string address, int ipv4Prefix, int ipv6Prefix, string expectedAddress, string expectedNetwork)
    {
        var sut = ClientNetwork.Of(IPAddress.Parse(address), ipv4Prefix, ipv6Prefix);

        Assert.Equal(new ClientNetwork(expectedAddress, expectedNetwork), sut);
    }
}
