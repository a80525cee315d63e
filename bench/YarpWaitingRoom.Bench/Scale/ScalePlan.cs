using System.Net;

namespace YarpWaitingRoom.Bench.Scale;

/// <summary>
/// How a rehearsal's sockets fit this machine: per hub at most what one process may open (its open-file limit less a
/// margin), the clients spread over as few client processes as that limit allows, and over as many loopback source
/// addresses as the ephemeral ports to one hub need. <see cref="Sockets"/> is less than <see cref="Requested"/> when
/// the hubs cannot hold them all (<see cref="IsCut"/>).
/// </summary>
internal sealed record ScalePlan(int Requested, int Sockets, int Hubs, int PerHub, int ClientProcesses, int PerClientProcess, int SourceAddresses, long FileLimit)
{
    /// <summary>Files a process keeps for what is not a socket to a client (its assemblies, Redis, logs, listeners).</summary>
    public const int Margin = 1024;

    /// <summary>The share of the ephemeral port range one (source, hub) pair is planned to use.</summary>
    public const double PortShare = 0.75;

    /// <summary>The most source addresses (127.0.0.2 … 127.0.0.254).</summary>
    public const int MaxSourceAddresses = 253;

    public bool IsCut => Sockets < Requested;

    /// <param name="requested">Sockets asked for.</param>
    /// <param name="hubs">Hub processes they are spread over (round robin).</param>
    /// <param name="fileLimit">The open-file limit every process runs with (after raising it).</param>
    /// <param name="ephemeralPorts">Ports per (source address, destination) pair.</param>
    public static ScalePlan Create(int requested, int hubs, long fileLimit, int ephemeralPorts)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(requested);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hubs);
        var perProcess = (int)Math.Clamp(fileLimit - Margin, 1, int.MaxValue);
        var perHub = Math.Min(CeilingDivide(requested, hubs), perProcess);
        var sockets = Math.Min(requested, perHub * hubs);
        var processes = CeilingDivide(sockets, perProcess);
        var perClientProcess = CeilingDivide(sockets, processes);
        var portsPerPair = Math.Max(1, (int)(ephemeralPorts * PortShare));
        var sources = Math.Clamp(CeilingDivide(perHub, portsPerPair), 1, MaxSourceAddresses);
        return new ScalePlan(requested, sockets, hubs, perHub, processes, perClientProcess, sources, fileLimit);
    }

    /// <summary>The hub client <paramref name="index"/> connects to (round robin).</summary>
    public int HubOf(int index) => index % Hubs;

    /// <summary>
    /// The loopback address client <paramref name="index"/> connects from: the clients of one hub take the addresses in
    /// turn (127.0.0.2, 127.0.0.3, …), so no (source, hub) pair holds more than its share of the ephemeral ports.
    /// </summary>
    public IPAddress SourceOf(int index) => new([127, 0, 0, (byte)(2 + (index / Hubs % SourceAddresses))]);

    /// <summary>The client processes' slices of the sockets: (first index, count).</summary>
    public IEnumerable<(int First, int Count)> ClientSlices()
    {
        for (var first = 0; first < Sockets; first += PerClientProcess)
        {
            yield return (first, Math.Min(PerClientProcess, Sockets - first));
        }
    }

    private static int CeilingDivide(int value, int divisor) => (value + divisor - 1) / divisor;
}
