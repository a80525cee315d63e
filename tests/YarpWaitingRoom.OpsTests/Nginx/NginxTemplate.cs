using System.Text.RegularExpressions;

namespace YarpWaitingRoom.OpsTests.Nginx;

/// <summary>An nginx template of <c>nginx/</c>: the <c>${NAME}</c> placeholders that ./stack and compose's envsubst fill.</summary>
internal sealed partial class NginxTemplate
{
    private NginxTemplate(string path, IReadOnlyList<string> lines)
    {
        Path = path;
        var directives = lines.Where(line => !line.TrimStart().StartsWith('#')).ToList();
        Placeholders = directives.SelectMany(line => Placeholder().Matches(line)).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);
        ListenPlaceholders = directives.Select(line => Listen().Match(line)).Where(m => m.Success).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Repository-relative path.</summary>
    public string Path { get; }

    /// <summary>Every placeholder outside comments.</summary>
    public IReadOnlySet<string> Placeholders { get; }

    /// <summary>The placeholders that give the port of a <c>listen</c> directive.</summary>
    public IReadOnlySet<string> ListenPlaceholders { get; }

    public static NginxTemplate Load(string relativePath) =>
        new(Repository.Relative(Repository.PathOf(relativePath)), File.ReadAllLines(Repository.PathOf(relativePath)));

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^\s*listen\s+(?:\S*:)?\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Listen();
}
