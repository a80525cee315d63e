using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace YarpWaitingRoom.OpsTests.Kubernetes;

/// <summary>
/// One overlay of <c>deploy/kubernetes/overlays</c> as <c>kubectl kustomize</c> renders it (the tests check what would be
/// applied, not the sources), each object as JSON.
/// </summary>
internal sealed class RenderedOverlay
{
    public const string OverlaysFolder = "deploy/kubernetes/overlays";

    private static readonly ConcurrentDictionary<string, Lazy<RenderedOverlay>> Cache = new(StringComparer.Ordinal);

    private RenderedOverlay(string name, string yaml)
    {
        Name = name;
        Yaml = yaml;
        Objects = Parse(yaml);
    }

    public string Name { get; }

    /// <summary>The rendered stream, as <c>kubectl apply -k</c> would send it.</summary>
    public string Yaml { get; }

    public IReadOnlyList<JsonObject> Objects { get; }

    /// <summary>The overlays in the repository, by folder name.</summary>
    public static IEnumerable<string> Names =>
        Directory.EnumerateDirectories(Repository.PathOf(OverlaysFolder)).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal);

    public static RenderedOverlay Of(string name) =>
        Cache.GetOrAdd(name, static n => new Lazy<RenderedOverlay>(() => new RenderedOverlay(n, Kubectl.Kustomize($"{OverlaysFolder}/{n}")))).Value;

    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => Kind(o) == kind);

    public JsonObject Single(string kind, string name) =>
        OfKind(kind).SingleOrDefault(o => NameOf(o) == name) ?? throw new InvalidDataException($"{Name}: no {kind} {name} in the rendered overlay");

    public JsonObject? Find(string kind, string name) => OfKind(kind).SingleOrDefault(o => NameOf(o) == name);

    public static string Kind(JsonObject o) => (string?)o["kind"] ?? throw new InvalidDataException("an object without kind");

    public static string NameOf(JsonObject o) => (string?)o["metadata"]?["name"] ?? throw new InvalidDataException($"a {Kind(o)} without metadata.name");

    public static string? NamespaceOf(JsonObject o) => (string?)o["metadata"]?["namespace"];

    /// <summary>A multi-document YAML stream as JSON objects (scalars as strings, as YAML gives them untyped).</summary>
    public static List<JsonObject> Parse(string yaml)
    {
        var deserializer = new DeserializerBuilder().Build();
        var parser = new Parser(new StringReader(yaml));
        parser.Consume<StreamStart>();
        var objects = new List<JsonObject>();
        while (parser.Accept<DocumentStart>(out _))
        {
            if (ToJson(deserializer.Deserialize<object?>(parser)) is JsonObject document)
            {
                objects.Add(document);
            }
        }

        return objects;
    }

    private static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        IDictionary<object, object?> map => new JsonObject(map.Select(e => KeyValuePair.Create(Convert.ToString(e.Key, System.Globalization.CultureInfo.InvariantCulture)!, ToJson(e.Value)))),
        IEnumerable<object?> list when value is not string => new JsonArray([.. list.Select(ToJson)]),
        _ => JsonValue.Create(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)),
    };
}

/// <summary><c>kubectl</c> on the PATH: Debian's <c>kubernetes-client</c> (kustomize 2), which <c>./stack test</c> installs, or a newer one.</summary>
internal static class Kubectl
{
    public static string Path =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => System.IO.Path.Combine(directory, "kubectl"))
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("kubectl is not on the PATH: ./stack test installs it (Debian's package kubernetes-client), or apt-get install kubernetes-client.");

    /// <summary>The output of <c>kubectl kustomize</c> for a repository-relative folder; its warnings (stderr) are dropped.</summary>
    public static string Kustomize(string folder)
    {
        var start = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Repository.Root,
        };
        start.ArgumentList.Add("kustomize");
        start.ArgumentList.Add(Repository.PathOf(folder));
        using var process = Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl kustomize {folder} did not finish within 60 s");
        }

        return process.ExitCode == 0
            ? output.GetAwaiter().GetResult()
            : throw new InvalidOperationException($"kubectl kustomize {folder} failed ({process.ExitCode}): {error.GetAwaiter().GetResult()}");
    }
}
