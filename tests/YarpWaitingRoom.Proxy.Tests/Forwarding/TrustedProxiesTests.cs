using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using YarpWaitingRoom.Testing;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Forwarding;

public sealed class TrustedProxiesTests(RedisFixture redis)
{
    private static readonly Uri NoBackend = new("http://127.0.0.1:9/");

    private ProxyApp App(params string[] trusted)
    {
        var app = new ProxyApp(redis.ConnectionString, NoBackend, RoomName());
        for (var i = 0; i < trusted.Length; i++)
        {
            app.Settings[$"WaitingRoom:Gate:TrustedProxies:{i}"] = trusted[i];
        }

        return app;
    }

    [Fact]
    public async Task TrustedProxies_TakeAddressesAndCidrNetworks()
    {
        await using var app = App("172.30.80.10", "10.20.0.0/16", "fd00::/8");

        var forwarded = app.Services.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value;

        Assert.Equal([IPAddress.Parse("172.30.80.10")], forwarded.KnownProxies);
        Assert.Equal([System.Net.IPNetwork.Parse("10.20.0.0/16"), System.Net.IPNetwork.Parse("fd00::/8")], forwarded.KnownIPNetworks);
        Assert.Contains(forwarded.KnownIPNetworks, n => n.Contains(IPAddress.Parse("10.20.3.4")));
        Assert.DoesNotContain(forwarded.KnownIPNetworks, n => n.Contains(IPAddress.Parse("10.21.0.1")));
    }

    [Fact]
    public async Task TrustedProxies_DefaultToLoopbackOnly()
    {
        await using var app = App();

        var forwarded = app.Services.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value;

        Assert.Equal([IPAddress.Loopback, IPAddress.IPv6Loopback], forwarded.KnownProxies);
        Assert.Empty(forwarded.KnownIPNetworks);
    }

    [Theory]
    [InlineData("edge.internal")]
    [InlineData("10.20.0.5/16")]
    [InlineData("10.20.0.0/33")]
    public async Task TrustedProxies_AnEntryThatIsNeitherAddressNorNetwork_StopsTheStart_NamingIt(string entry)
    {
        await using var app = App("172.30.80.10", entry);

        var error = Assert.Throws<OptionsValidationException>(() => app.Services);

        Assert.Contains($"WaitingRoom:Gate:TrustedProxies:1 = '{entry}'", error.Message, StringComparison.Ordinal);
    }
}
