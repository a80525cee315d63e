using System.Text.Json;
using System.Text.RegularExpressions;

namespace YarpWaitingRoom.OpsTests.Docker;

/// <summary>
/// A Dockerfile read into instructions and build stages (comments and parser directives dropped), as a build with given
/// build arguments sees it: in each stage, <c>$NAME</c> and <c>${NAME}</c> of the instructions that run at build time
/// become the value of that stage's ARG (the build argument, else the ARG's default, else the global ARG's default;
/// empty when none) or ENV, as the builder does; an ARG not declared in the stage is not visible there. ENTRYPOINT, CMD
/// and HEALTHCHECK keep their variables: they run in the container, which has the image's environment and no ARG.
/// Names the file does not declare (the base image's <c>APP_UID</c>) stay as written.
/// </summary>
internal sealed partial class Dockerfile
{
    private static readonly string[] RuntimeKeywords = ["ENTRYPOINT", "CMD", "HEALTHCHECK"];

    private Dockerfile(string path, IReadOnlyList<DockerInstruction> instructions, IReadOnlyDictionary<string, string?> buildArguments)
    {
        Path = path;
        var declared = new Dictionary<string, string?>(StringComparer.Ordinal);
        var globals = new Dictionary<string, string>(StringComparer.Ordinal);
        var stages = new List<List<DockerInstruction>>();
        var all = new List<DockerInstruction>();
        var variables = globals;
        foreach (var raw in instructions)
        {
            if (raw.Keyword == "FROM")
            {
                stages.Add([]);
                variables = new Dictionary<string, string>(StringComparer.Ordinal);
            }

            var instruction = RuntimeKeywords.Contains(raw.Keyword) ? raw : raw with { Arguments = Expand(raw.Arguments, raw.Keyword == "FROM" ? globals : variables) };
            if (instruction.Keyword == "ARG")
            {
                var (name, value) = Assignment(instruction.Arguments);
                declared.TryAdd(name, value);
                variables[name] = buildArguments.GetValueOrDefault(name) ?? value ?? (stages.Count > 0 ? globals.GetValueOrDefault(name) : null) ?? string.Empty;
            }
            else if (instruction.Keyword == "ENV")
            {
                var (name, value) = Assignment(instruction.Arguments);
                variables[name] = value ?? string.Empty;
            }

            all.Add(instruction);
            if (stages.Count > 0)
            {
                stages[^1].Add(instruction);
            }
        }

        Instructions = all;
        Stages = stages;
        DeclaredArguments = declared;
        FinalEnvironment = stages.Count == 0
            ? new Dictionary<string, string>(StringComparer.Ordinal)
            : stages[^1].Where(i => i.Keyword == "ENV").Select(i => Assignment(i.Arguments)).ToDictionary(a => a.Name, a => a.Value ?? string.Empty, StringComparer.Ordinal);
    }

    /// <summary>Repository-relative path.</summary>
    public string Path { get; }

    /// <summary>The instructions of every stage, variables expanded as described above.</summary>
    public IReadOnlyList<DockerInstruction> Instructions { get; }

    /// <summary>The build stages, each starting with its FROM.</summary>
    public IReadOnlyList<IReadOnlyList<DockerInstruction>> Stages { get; }

    /// <summary>The stage the image is made of: the last one.</summary>
    public IReadOnlyList<DockerInstruction> FinalStage => Stages.Count == 0 ? [] : Stages[^1];

    /// <summary>Every ARG the file declares (in any stage or before the first), with its default (null: none).</summary>
    public IReadOnlyDictionary<string, string?> DeclaredArguments { get; }

    /// <summary>The ENV of the final stage: the environment the container starts with, besides the base image's.</summary>
    public IReadOnlyDictionary<string, string> FinalEnvironment { get; }

    public static Dockerfile Load(string relativePath, IReadOnlyDictionary<string, string?>? buildArguments = null)
    {
        var instructions = new List<DockerInstruction>();
        var lines = File.ReadAllLines(Repository.PathOf(relativePath));
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var first = i + 1;
            var text = line;
            while (text.EndsWith('\\') && i + 1 < lines.Length)
            {
                text = text[..^1];
                var next = lines[++i].Trim();
                if (!next.StartsWith('#'))
                {
                    text += " " + next;
                }
            }

            var parts = text.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries);
            instructions.Add(new DockerInstruction(parts[0].ToUpperInvariant(), parts.Length > 1 ? parts[1].Trim() : string.Empty, first));
        }

        return new Dockerfile(Repository.Relative(Repository.PathOf(relativePath)), instructions, buildArguments ?? new Dictionary<string, string?>());
    }

    /// <summary>The exec form of an instruction (<c>["dotnet", "X.dll"]</c>) as its words; null for the shell form.</summary>
    public static IReadOnlyList<string>? ExecForm(DockerInstruction instruction) =>
        instruction.Arguments.StartsWith('[') ? JsonSerializer.Deserialize<string[]>(instruction.Arguments) : null;

    /// <summary><c>$NAME</c> and <c>${NAME}</c> replaced by their values; names without one stay.</summary>
    public static string Expand(string text, IReadOnlyDictionary<string, string> values) =>
        Variable().Replace(text, match => values.TryGetValue(match.Groups["braced"].Success ? match.Groups["braced"].Value : match.Groups["plain"].Value, out var value) ? value : match.Value);

    /// <summary>One <c>NAME=value</c> (or <c>NAME</c>, or ENV's old <c>NAME value</c>), quotes around the value dropped.</summary>
    private static (string Name, string? Value) Assignment(string arguments)
    {
        var separator = arguments.IndexOfAny(['=', ' ']);
        return separator < 0 ? (arguments, null) : (arguments[..separator], arguments[(separator + 1)..].Trim().Trim('"'));
    }

    [GeneratedRegex(@"\$(?:\{(?<braced>[A-Za-z_][A-Za-z0-9_]*)\}|(?<plain>[A-Za-z_][A-Za-z0-9_]*))")]
    private static partial Regex Variable();
}
