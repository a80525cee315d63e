using System.Text.Json;
using System.Text.Json.Nodes;

namespace YarpWaitingRoom.Bench;

/// <summary><c>bench/results/latest.json</c>: one object per scenario, replaced as each scenario runs.</summary>
internal static class ResultsFile
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Write(string scenario, JsonObject result)
    {
        var path = Path.Combine(StackEndpoints.RepositoryRoot, "bench", "results", "latest.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var root = File.Exists(path) && JsonNode.Parse(File.ReadAllText(path)) is JsonObject existing ? existing : [];
        result["measuredAt"] = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        result["machine"] = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}";
        root[scenario] = result;
        File.WriteAllText(path, root.ToJsonString(Indented));
        return path;
    }
}
