using System.Globalization;

namespace YarpWaitingRoom.Bench.Scale;

/// <summary>
/// The kernel's limits a rehearsal with tens of thousands of sockets meets (<c>sysctl -n</c> reads the same files):
/// the ephemeral port range (<c>net.ipv4.ip_local_port_range</c>: ports per source address and destination), the
/// system-wide open-file limit (<c>fs.file-max</c>) and the highest per-process one (<c>fs.nr_open</c>).
/// </summary>
internal sealed record KernelLimits(int PortLow, int PortHigh, long FileMax, long NrOpen)
{
    /// <summary>Ephemeral ports per (source address, destination) pair.</summary>
    public int EphemeralPorts => PortHigh - PortLow + 1;

    /// <summary>The limits of this machine; a value that cannot be read is 0 (a port range of 32768–60999 is assumed).</summary>
    public static KernelLimits Read()
    {
        var (low, high) = ParsePortRange(Read("/proc/sys/net/ipv4/ip_local_port_range")) ?? (32768, 60999);
        return new KernelLimits(low, high, ParseLong(Read("/proc/sys/fs/file-max")), ParseLong(Read("/proc/sys/fs/nr_open")));
    }

    /// <summary><c>"32768\t60999"</c> → (32768, 60999); null when it is not two ascending numbers.</summary>
    public static (int Low, int High)? ParsePortRange(string? text)
    {
        var fields = (text ?? string.Empty).Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
        return fields.Length == 2
            && int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var low)
            && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var high)
            && low <= high
            ? (low, high)
            : null;
    }

    public override string ToString() =>
        $"net.ipv4.ip_local_port_range {PortLow}-{PortHigh} ({EphemeralPorts:N0} ports), fs.file-max {FileMax:N0}, fs.nr_open {NrOpen:N0}";

    private static long ParseLong(string? text) =>
        long.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
