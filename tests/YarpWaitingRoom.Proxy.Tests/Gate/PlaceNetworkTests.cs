using System.Net;
using Microsoft.AspNetCore.Http;
using YarpWaitingRoom.Yarp.Gate;

namespace YarpWaitingRoom.Proxy.Tests.Gate;

/// <summary>
/// The network a waiting place counts against: the client's /24 (IPv4) or /64 (IPv6) in canonical form, whatever the rate
/// limits' own prefixes.
/// </summary>
public sealed class PlaceNetworkTests
{
    [Theory]
    [InlineData("203.0.113.7", "203.0.113.0/24")]
    [InlineData("203.0.113.250", "203.0.113.0/24")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.0/24")]
    [InlineData("2001:db8:1:2::7", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2:ffff:eeee:dddd:cccc", "2001:db8:1:2::/64")]
    [InlineData("2001:0db8:0001:0002:0000:0000:0000:0001", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:3::7", "2001:db8:1:3::/64")]
    public void Of_GroupsTheClientIntoItsSlash24OrSlash64(string address, string expected)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(address);

        Assert.Equal(expected, PlaceNetwork.Of(context));
    }
}
