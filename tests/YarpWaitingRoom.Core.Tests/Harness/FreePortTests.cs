using System.Globalization;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Tests.Harness;

/// <summary>The harness's ports stay out of the ephemeral range (where client connections take theirs) and are never handed out twice.</summary>
public sealed class FreePortTests
{
    [Fact]
    public void Next_HandsOutDistinctPortsBelowTheEphemeralRange_ReservedForThisProcess()
    {
        var ephemeralStart = int.Parse(
            File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0],
            CultureInfo.InvariantCulture);

        var ports = Enumerable.Range(0, 50).Select(_ => FreePort.Next()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.All(ports, port => Assert.InRange(port, 10_000, ephemeralStart - 1));
        Assert.All(ports, port => Assert.Equal(
            Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
            File.ReadAllText(Path.Combine(Path.GetTempPath(), "ywr-test-ports", port.ToString(CultureInfo.InvariantCulture)))));
    }
}
