using System.Text.RegularExpressions;

namespace YarpWaitingRoom.OpsTests.PublicApi;

/// <summary>
/// Reads the lists of Microsoft.CodeAnalysis.PublicApiAnalyzers (<c>PublicAPI.Shipped.txt</c>,
/// <c>PublicAPI.Unshipped.txt</c>): one symbol a line, <c>#nullable enable</c> first, a type as its full name, a member as
/// <c>[modifiers] Type.Member[(parameters)][ = value] -> ReturnType</c>, a property as one line per accessor
/// (<c>Type.Property.get -> T</c>), a constructor as <c>Type.Type() -> void</c>, and in the unshipped list
/// <c>*REMOVED*</c> before a shipped line that is gone. Operators and conversions are not read (none is public yet): such
/// a line is a <see cref="FormatException"/> naming it, not a symbol silently skipped.
/// </summary>
internal static partial class PublicApiFile
{
    private const string RemovedPrefix = "*REMOVED*";

    private static readonly string[] Modifiers = ["static", "const", "readonly", "abstract", "virtual", "override", "sealed", "new"];

    private static readonly string[] Accessors = ["get", "set", "init", "add", "remove"];

    public static IReadOnlyList<ApiSymbol> Parse(string package, IEnumerable<string> shipped, IEnumerable<string> unshipped)
    {
        ArgumentNullException.ThrowIfNull(shipped);
        ArgumentNullException.ThrowIfNull(unshipped);
        var lines = shipped.Where(IsSymbol).Select(line => line.Trim()).ToList();
        foreach (var line in unshipped.Where(IsSymbol).Select(line => line.Trim()))
        {
            if (line.StartsWith(RemovedPrefix, StringComparison.Ordinal))
            {
                var removed = line[RemovedPrefix.Length..];
                if (!lines.Remove(removed))
                {
                    throw new FormatException($"'{line}' removes a line that PublicAPI.Shipped.txt does not have.");
                }
            }
            else
            {
                lines.Add(line);
            }
        }

        return lines.Select(line => ParseLine(package, line)).ToList();
    }

    public static ApiSymbol ParseLine(string package, string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var text = line.Trim().TrimStart('~');
        for (var modifier = LeadingModifier(text); modifier is not null; modifier = LeadingModifier(text))
        {
            text = text[(modifier.Length + 1)..];
        }

        var arrow = text.IndexOf(" -> ", StringComparison.Ordinal);
        if (arrow < 0)
        {
            return new ApiSymbol(package, RequireName(text, line));
        }

        // An indexer is "Type.this[int i].get": its parameters are not part of its name.
        var head = IndexerParameters().Replace(text[..arrow], ".this");
        var end = head.IndexOf('(', StringComparison.Ordinal);
        var value = head.IndexOf(" = ", StringComparison.Ordinal);
        head = (end, value) switch
        {
            ( >= 0, _) => head[..end],
            (_, >= 0) => head[..value],
            _ => head,
        };

        string? accessor = null;
        var lastDot = LastDotOutsideGenerics(head);
        if (lastDot > 0 && Accessors.Contains(head[(lastDot + 1)..]))
        {
            accessor = head[(lastDot + 1)..];
            head = head[..lastDot];
            lastDot = LastDotOutsideGenerics(head);
        }

        if (lastDot <= 0)
        {
            throw new FormatException($"'{line}' names no member of a type.");
        }

        var type = RequireName(head[..lastDot], line);
        var member = RequireName(WithoutGenerics(head[(lastDot + 1)..]), line);
        if (member == WithoutGenerics(type[(LastDotOutsideGenerics(type) + 1)..]))
        {
            member = ApiSymbol.Constructor;
        }

        return new ApiSymbol(package, type, member, accessor);
    }

    private static bool IsSymbol(string line) => line.Trim() is { Length: > 0 } text && !text.StartsWith('#');

    private static string? LeadingModifier(string text) =>
        Array.Find(Modifiers, modifier => text.StartsWith(modifier + " ", StringComparison.Ordinal));

    private static int LastDotOutsideGenerics(string name)
    {
        var depth = 0;
        for (var i = name.Length - 1; i >= 0; i--)
        {
            switch (name[i])
            {
                case '>':
                    depth++;
                    break;
                case '<':
                    depth--;
                    break;
                case '.' when depth == 0:
                    return i;
            }
        }

        return -1;
    }

    private static string WithoutGenerics(string name) => name.IndexOf('<', StringComparison.Ordinal) is var open and >= 0 ? name[..open] : name;

    /// <summary>The name, or a <see cref="FormatException"/> for what this reader does not understand (operators, conversions).</summary>
    private static string RequireName(string name, string line) =>
        name.Length > 0 && !name.Contains(' ', StringComparison.Ordinal) && !name.Contains("operator", StringComparison.Ordinal)
            ? name
            : throw new FormatException($"'{line}' is not a type or member this reader understands (operators and conversions are not read yet).");

    [GeneratedRegex(@"\.this\[[^\]]*\]")]
    private static partial Regex IndexerParameters();
}
