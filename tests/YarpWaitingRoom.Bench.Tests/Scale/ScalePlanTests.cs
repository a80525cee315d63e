using System.Net;
using YarpWaitingRoom.Bench.Scale;

namespace YarpWaitingRoom.Bench.Tests.Scale;

public sealed class ScalePlanTests
{
    [Fact]
    public void Create_LimitHoldsEverySocket_KeepsTheCountAndOneClientProcess()
    {
        var sut = ScalePlan.Create(requested: 50_000, hubs: 2, fileLimit: 200_000, ephemeralPorts: 28_232);

        Assert.False(sut.IsCut);
        Assert.Equal(50_000, sut.Sockets);
        Assert.Equal(25_000, sut.PerHub);
        Assert.Equal(1, sut.ClientProcesses);
        Assert.Equal(2, sut.SourceAddresses); // 25,000 to one hub is more than 3/4 of 28,232 ports
    }

    [Fact]
    public void Create_LimitBelowPerHub_CutsToWhatTheHubsHoldAndSpreadsClientsOverProcesses()
    {
        var sut = ScalePlan.Create(requested: 50_000, hubs: 2, fileLimit: 20_000, ephemeralPorts: 28_232);

        Assert.True(sut.IsCut);
        Assert.Equal(18_976, sut.PerHub);
        Assert.Equal(37_952, sut.Sockets);
        Assert.Equal(2, sut.ClientProcesses);
        Assert.All(sut.ClientSlices(), slice => Assert.True(slice.Count <= 20_000 - ScalePlan.Margin));
    }

    [Fact]
    public void ClientSlices_CoverEverySocketOnceInOrder()
    {
        var sut = ScalePlan.Create(requested: 10_001, hubs: 3, fileLimit: 4_024, ephemeralPorts: 28_232);

        var indices = sut.ClientSlices().SelectMany(s => Enumerable.Range(s.First, s.Count)).ToArray();

        Assert.Equal(Enumerable.Range(0, sut.Sockets), indices);
        Assert.Equal(sut.ClientProcesses, sut.ClientSlices().Count());
    }

    [Fact]
    public void SourceOf_ClientsOfOneHub_TakeTheAddressesInTurnAndStayUnderThePortShare()
    {
        var sut = ScalePlan.Create(requested: 100_000, hubs: 2, fileLimit: 1_000_000, ephemeralPorts: 28_232);

        var perPair = Enumerable.Range(0, sut.Sockets).GroupBy(i => (sut.HubOf(i), sut.SourceOf(i))).Select(g => g.Count()).ToArray();

        Assert.Equal(3, sut.SourceAddresses);
        Assert.Equal(sut.Hubs * sut.SourceAddresses, perPair.Length);
        Assert.All(perPair, count => Assert.True(count <= 28_232 * ScalePlan.PortShare));
        Assert.Equal(IPAddress.Parse("127.0.0.2"), sut.SourceOf(0));
        Assert.Equal(IPAddress.Parse("127.0.0.2"), sut.SourceOf(1)); // the other hub's first client
        Assert.Equal(IPAddress.Parse("127.0.0.3"), sut.SourceOf(2));
    }
}
