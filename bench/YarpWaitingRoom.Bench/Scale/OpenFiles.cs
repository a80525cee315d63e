using System.Runtime.InteropServices;

namespace YarpWaitingRoom.Bench.Scale;

/// <summary>
/// This process's limit on open files (<c>RLIMIT_NOFILE</c>): every socket is one. The soft limit can be raised up to the
/// hard one by anybody, the hard one only with <c>CAP_SYS_RESOURCE</c> (root outside a restricted container), and never
/// above <c>fs.nr_open</c>; child processes inherit both.
/// </summary>
internal static partial class OpenFiles
{
    private const int ResourceNoFile = 7; // RLIMIT_NOFILE on Linux (x64 and arm64)

    /// <summary>The current (soft, hard) limit; null where it cannot be read (not Linux).</summary>
    public static (long Soft, long Hard)? Current()
    {
        if (!OperatingSystem.IsLinux() || GetLimit(ResourceNoFile, out var limit) != 0)
        {
            return null;
        }

        return (Clamp(limit.Current), Clamp(limit.Maximum));
    }

    /// <summary>
    /// Raises both limits to <paramref name="wanted"/> where the process may (hard too), else the soft limit to the hard
    /// one; never lowers either. Returns the soft limit in force afterwards (null: unknown).
    /// </summary>
    public static long? Raise(long wanted)
    {
        if (Current() is not { } current)
        {
            return null;
        }

        if (current.Soft >= wanted)
        {
            return current.Soft;
        }

        var both = (ulong)Math.Max(wanted, current.Hard);
        if (SetLimit(ResourceNoFile, new Limit(both, both)) != 0)
        {
            var hard = (ulong)current.Hard;
            _ = SetLimit(ResourceNoFile, new Limit(hard, hard));
        }

        return Current()?.Soft;
    }

    private static long Clamp(ulong value) => value > long.MaxValue ? long.MaxValue : (long)value;

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetLimit(int resource, out Limit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetLimit(int resource, in Limit limit);

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct Limit(ulong Current, ulong Maximum);
}
