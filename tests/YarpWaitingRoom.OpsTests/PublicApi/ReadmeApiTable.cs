using System.Text.RegularExpressions;
using YarpWaitingRoom.OpsTests.Readme;

namespace YarpWaitingRoom.OpsTests.PublicApi;

/// <summary>
/// The README's "Public API" table (package | type | member | what it does) as symbols: an empty package or type cell
/// repeats the row above; a member cell holds one or more code spans, each naming a member by its leading identifier
/// (<c>`AddWaitingRoom(IConfiguration configuration)`</c>, <c>`MaxActive`</c>), the type's own name meaning its
/// constructor. Every type that appears in the type column is a symbol itself.
/// </summary>
internal static partial class ReadmeApiTable
{
    public const string Heading = "### Public API";

    private static readonly string[] Columns = ["package", "type", "member", "what it does"];

    public static IReadOnlyList<ApiSymbol> Parse(string readme)
    {
        var rows = Markdown.TableRows(Markdown.Section(readme, Heading), out var header);
        if (!header.SequenceEqual(Columns))
        {
            throw new FormatException($"The Public API table's columns are '{string.Join(" | ", header)}', not '{string.Join(" | ", Columns)}'.");
        }

        var symbols = new List<ApiSymbol>();
        string? package = null;
        string? type = null;
        foreach (var row in rows)
        {
            if (row.Count != Columns.Length)
            {
                throw new FormatException($"A row of the Public API table has {row.Count} cells: {string.Join(" | ", row)}");
            }

            package = Single(row[0]) ?? package ?? throw new FormatException("The Public API table's first row names no package.");
            var rowType = Single(row[1]);
            if (rowType is not null)
            {
                type = rowType;
                symbols.Add(new ApiSymbol(package, type));
            }
            else if (type is null)
            {
                throw new FormatException("The Public API table's first row names no type.");
            }

            foreach (var span in Markdown.CodeSpans(row[2]))
            {
                var name = LeadingIdentifier().Match(span) is { Success: true } match
                    ? match.Value
                    : throw new FormatException($"'{span}' in the Public API table names no member.");
                symbols.Add(new ApiSymbol(package, type, name == type[(type.LastIndexOf('.') + 1)..] ? ApiSymbol.Constructor : name));
            }
        }

        return symbols;
    }

    /// <summary>The one code span of a package or type cell, or null for an empty cell (the row above's).</summary>
    private static string? Single(string cell) => Markdown.CodeSpans(cell) switch
    {
        [] when cell.Length == 0 => null,
        [var only] => only,
        _ => throw new FormatException($"'{cell}' should be empty or one code span."),
    };

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex LeadingIdentifier();
}
