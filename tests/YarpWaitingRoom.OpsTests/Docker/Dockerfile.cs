using System.Text.Json;

namespace YarpWaitingRoom.OpsTests.Docker;

/// <summary>A Dockerfile read into instructions and build stages (comments and parser directives dropped).</summary>
internal sealed class Dockerfile
{
    private Dockerfile(string path, IReadOnlyList<DockerInstruction> instructions)
    {
        Path = path;
        Instructions = instructions;
        var stages = new List<List<DockerInstruction>>();
        foreach (var instruction in instructions)
        {
            if (instruction.Keyword == "FROM")
            {
                stages.Add([]);
            }

            if (stages.Count > 0)
            {
                stages[^1].Add(instruction);
            }
        }

        Stages = stages;
    }

    /// <summary>Repository-relative path.</summary>
    public string Path { get; }

    public IReadOnlyList<DockerInstruction> Instructions { get; }

    /// <summary>The build stages, each starting with its FROM.</summary>
    public IReadOnlyList<IReadOnlyList<DockerInstruction>> Stages { get; }

    /// <summary>The stage the image is made of: the last one.</summary>
    public IReadOnlyList<DockerInstruction> FinalStage => Stages.Count == 0 ? [] : Stages[^1];

    public static Dockerfile Load(string relativePath)
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

        return new Dockerfile(Repository.Relative(Repository.PathOf(relativePath)), instructions);
    }

    /// <summary>The exec form of an instruction (<c>["dotnet", "X.dll"]</c>) as its words; null for the shell form.</summary>
    public static IReadOnlyList<string>? ExecForm(DockerInstruction instruction) =>
        instruction.Arguments.StartsWith('[') ? JsonSerializer.Deserialize<string[]>(instruction.Arguments) : null;
}
