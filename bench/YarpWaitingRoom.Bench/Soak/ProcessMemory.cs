using System.Globalization;

namespace YarpWaitingRoom.Bench.Soak;

/// <summary>
/// A process's resident set from <c>/proc/&lt;pid&gt;/status</c>: all of it (<c>VmRSS</c>) and its anonymous part
/// (<c>RssAnon</c>: heaps, stacks, the GC's memory; the rest is mapped files such as the runtime's and the app's code, and
/// shared memory), and the pid files of the local stack.
/// </summary>
internal static class ProcessMemory
{
    /// <summary>The resident set of <paramref name="pid"/> in bytes, and its anonymous part; null when the process is gone (or this is not Linux).</summary>
    public static (long Total, long? Anonymous)? Resident(int pid)
    {
        string status;
        try
        {
            status = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return ParseKilobytes(status, "VmRSS") is { } total ? (total, ParseKilobytes(status, "RssAnon")) : null;
    }

    /// <summary>A <c>&lt;field&gt;:   123456 kB</c> line of a <c>/proc/&lt;pid&gt;/status</c> text, in bytes; null when there is none.</summary>
    public static long? ParseKilobytes(string status, string field)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(field);
        var prefix = field + ":";
        foreach (var line in status.Split('\n'))
        {
            if (!line.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var fields = line[prefix.Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            return fields.Length == 2 && fields[1] == "kB" && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kilobytes)
                ? kilobytes * 1024
                : null;
        }

        return null;
    }

    /// <summary>Every <c>&lt;name&gt;.pid</c> under <paramref name="runDirectory"/> (as <c>./stack up</c> writes them), by name.</summary>
    public static IReadOnlyList<(string Name, int Pid)> PidFiles(string runDirectory)
    {
        if (!Directory.Exists(runDirectory))
        {
            return [];
        }

        var found = new List<(string, int)>();
        foreach (var file in Directory.EnumerateFiles(runDirectory, "*.pid").Order(StringComparer.Ordinal))
        {
            var first = File.ReadLines(file).FirstOrDefault()?.Trim();
            if (int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                found.Add((Path.GetFileNameWithoutExtension(file), pid));
            }
        }

        return found;
    }
}
