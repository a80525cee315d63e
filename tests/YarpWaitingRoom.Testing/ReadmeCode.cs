namespace YarpWaitingRoom.Testing;

/// <summary>
/// Code the README prints for readers to copy, exactly as printed: the fenced block between <c>&lt;!-- name --&gt;</c>
/// and <c>&lt;!-- /name --&gt;</c>, so the tests run what a reader copies.
/// </summary>
public static class ReadmeCode
{
    /// <summary>The text of the fenced code block between the README's markers for <paramref name="name"/>.</summary>
    public static string Block(string name)
    {
        var start = $"<!-- {name} -->";
        var end = $"<!-- /{name} -->";
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        var startAt = readme.IndexOf(start, StringComparison.Ordinal);
        var endAt = readme.IndexOf(end, StringComparison.Ordinal);
        if (startAt < 0 || endAt < startAt)
        {
            throw new InvalidOperationException($"README.md has no code between '{start}' and '{end}'.");
        }

        var lines = readme[(startAt + start.Length)..endAt].Split('\n').Select(line => line.TrimEnd('\r')).ToList();
        lines.RemoveAll(line => line.StartsWith("```", StringComparison.Ordinal));
        return string.Join('\n', lines).Trim() + "\n";
    }

    /// <summary>The repository's root: the first directory above the test's binaries that holds the solution.</summary>
    public static string RepositoryRoot()
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
