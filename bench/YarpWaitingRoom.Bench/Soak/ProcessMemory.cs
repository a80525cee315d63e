using System.Globalization;

namespace YarpWaitingRoom.Bench.Soak;

/// <summary>A process's resident set from <c>/proc/&lt;pid&gt;/status</c> (<c>VmRSS</c>), and the pid files of the local stack.</summary>
internal static class ProcessMemory
{
    /// <summary>The resident set of <paramref name="pid"/> in bytes; null when the process is gone (or this is not Linux).</summary>
    public static long? ResidentBytes(int pid)
    {
        try
        {
            return ParseVmRss(File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary><c>VmRSS:   123456 kB</c> from a <c>/proc/&lt;pid&gt;/status</c> text, in bytes; null when there is none.</summary>
    public static long? ParseVmRss(string status)
    {
        ArgumentNullException.ThrowIfNull(status);
        foreach (var line in status.Split('\n'))
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                continue;
            }

            var fields = line["VmRSS:".Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
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
