using System.Text.Json;
using System.Text.Json.Nodes;

namespace YarpWaitingRoom.Bench;

/// <summary><c>bench/results/latest.json</c>: one object per scenario, replaced as each scenario runs.</summary>
internal static class ResultsFile
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Write(string scenario, JsonObject result)
    {
        var path = Path.Combine(FindBenchDirectory(), "results", "latest.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var root = File.Exists(path) && JsonNode.Parse(File.ReadAllText(path)) is JsonObject existing ? existing : [];
        result["measuredAt"] = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        result["machine"] = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}";
        root[scenario] = result;
        File.WriteAllText(path, root.ToJsonString(Indented));
        return path;
    }

    private static string FindBenchDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "YarpWaitingRoom.sln")))
            {
                return Path.Combine(directory.FullName, "bench");
            }
        }

        return Path.Combine(Environment.CurrentDirectory, "bench");
    }
}
