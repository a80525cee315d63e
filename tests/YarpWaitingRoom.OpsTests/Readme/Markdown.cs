using System.Text.RegularExpressions;

namespace YarpWaitingRoom.OpsTests.Readme;

/// <summary>The few pieces of a markdown file the README checks read: a section under a heading, its code, its tables.</summary>
internal static partial class Markdown
{
    /// <summary>
    /// The lines from <paramref name="heading"/> (a whole line, e.g. <c>### Public API</c>) to the next heading of the
    /// same or a higher level; a <c>#</c> inside a fenced code block is not a heading.
    /// </summary>
    public static string Section(string markdown, string heading)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        ArgumentNullException.ThrowIfNull(heading);
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        var start = Array.FindIndex(lines, line => line.TrimEnd() == heading);
        if (start < 0)
        {
            throw new InvalidOperationException($"The markdown has no heading '{heading}'.");
        }

        var level = heading.TakeWhile(c => c == '#').Count();
        var fenced = false;
        var end = start + 1;
        for (; end < lines.Length; end++)
        {
            if (lines[end].StartsWith("```", StringComparison.Ordinal))
            {
                fenced = !fenced;
            }
            else if (!fenced && HeadingLevel(lines[end]) is > 0 and var other && other <= level)
            {
                break;
            }
        }

        return string.Join('\n', lines[start..end]);
    }

    /// <summary>The contents of the fenced code blocks (<c>```language</c>) in <paramref name="text"/>.</summary>
    public static IReadOnlyList<string> CodeBlocks(string text, string language) =>
        FencedBlock().Matches(text)
            .Where(match => match.Groups["language"].Value == language)
            .Select(match => match.Groups["code"].Value)
            .ToList();

    /// <summary>The inline code spans (<c>`code`</c>) of one line or table cell, in order.</summary>
    public static IReadOnlyList<string> CodeSpans(string text) =>
        CodeSpan().Matches(text).Select(match => match.Groups["code"].Value).ToList();

    /// <summary>The rows of the first table in <paramref name="text"/>, header and separator left out, cells trimmed.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> TableRows(string text, out IReadOnlyList<string> header)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n').Select(line => line.Trim()).SkipWhile(line => !line.StartsWith('|')).TakeWhile(line => line.StartsWith('|')).ToList();
        if (lines.Count < 2)
        {
            throw new InvalidOperationException("No table found.");
        }

        header = Cells(lines[0]);
        return lines.Skip(2).Select(Cells).ToList();
    }

    private static IReadOnlyList<string> Cells(string line) =>
        line.Trim('|').Split('|').Select(cell => cell.Trim()).ToList();

    private static int HeadingLevel(string line)
    {
        var level = line.TakeWhile(c => c == '#').Count();
        return level > 0 && line.Length > level && line[level] == ' ' ? level : 0;
    }

    [GeneratedRegex(@"^```(?<language>[a-z]*)\n(?<code>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedBlock();

    [GeneratedRegex(@"`(?<code>[^`\n]+)`")]
    private static partial Regex CodeSpan();
}
