using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Configuration;
using YarpWaitingRoom.Testing;
using YarpWaitingRoom.Yarp.Gate;

namespace YarpWaitingRoom.Proxy.Tests.Gate;

/// <summary>The gate resolves each route once: its room from the metadata, its traffic cell and metric series.</summary>
public sealed class GatedRoutesTests(RedisFixture redis) : ProxyTestBase(redis)
{
    [Fact]
    public async Task Of_RouteNamingARoom_IsGatedByIt_ResolvedOnce_AndAReloadedConfigIsResolvedAfresh()
    {
        await using var app = App();
        var sut = app.Services.GetRequiredService<GatedRoutes>();
        var route = new RouteConfig
        {
            RouteId = "gated",
            Metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["WaitingRoom"] = app.Room },
        };

        var gated = sut.Of(route);

        Assert.Equal(app.Room, gated.Room?.Name);
        Assert.Equal("gated", gated.RouteId);
        Assert.NotNull(gated.Traffic);
        Assert.NotNull(gated.Metrics);
        Assert.Same(gated, sut.Of(route));
        // A reload hands out new instances: a route that leaves its room is ungated at once.
        Assert.Same(GatedRoute.NotGated, sut.Of(route with { Metadata = null }));
        Assert.Same(GatedRoute.NotGated, sut.Of(route with { Metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["Other"] = app.Room } }));
        Assert.Null(GatedRoute.NotGated.Room);
    }
}
