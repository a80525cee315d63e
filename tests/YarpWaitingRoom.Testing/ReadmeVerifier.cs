namespace YarpWaitingRoom.Testing;

/// <summary>
/// The draw verifier exactly as the README prints it (between <c>&lt;!-- verify-draw.mjs --&gt;</c> and
/// <c>&lt;!-- /verify-draw.mjs --&gt;</c>), written to a temporary file and run with <c>node</c>.
/// </summary>
public static class ReadmeVerifier
{
    private const string Start = "<!-- verify-draw.mjs -->";
    private const string End = "<!-- /verify-draw.mjs -->";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    /// <summary>The script's text: the fenced code block between the README's markers.</summary>
    public static string Text()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        var start = readme.IndexOf(Start, StringComparison.Ordinal);
        var end = readme.IndexOf(End, StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            throw new InvalidOperationException($"README.md has no verifier between '{Start}' and '{End}'.");
        }

        var lines = readme[(start + Start.Length)..end].Split('\n').Select(line => line.TrimEnd('\r')).ToList();
        lines.RemoveAll(line => line.StartsWith("```", StringComparison.Ordinal));
        return string.Join('\n', lines).Trim() + "\n";
    }

    /// <summary>Runs the README's verifier on an event document and a participants document (files or URLs).</summary>
    public static async Task<ExternalProcess.Result> RunAsync(string directory, string eventDocument, string participantsDocument)
    {
        var script = Path.Combine(directory, "verify-draw.mjs");
        await File.WriteAllTextAsync(script, Text(), TestContext.Current.CancellationToken);
        return await ExternalProcess.RunAsync(
            "node", [script, eventDocument, participantsDocument], Timeout, workingDirectory: directory, cancellationToken: TestContext.Current.CancellationToken);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "YarpWaitingRoom.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Repository root (with YarpWaitingRoom.sln) not found above " + AppContext.BaseDirectory);
    }
}
