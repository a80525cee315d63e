using System.Text.RegularExpressions;

namespace YarpWaitingRoom.Proxy.Tests.Console;

/// <summary>Reading <c>console.js</c> as the package embeds it, for the tests that hold it to the page and its texts.</summary>
internal static partial class ConsoleScript
{
    public static string Source()
    {
        using var stream = typeof(Yarp.Console.ConsolePage).Assembly.GetManifestResourceStream("YarpWaitingRoom.Yarp.Console.Assets.console.js")
            ?? throw new InvalidOperationException("console.js is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Every <c>text.key</c> the script reads.</summary>
    public static List<string> TextsRead(string script) =>
        TextRead().Matches(script).Select(m => m.Groups["key"].Value).Distinct().ToList();

    /// <summary>Every id the script looks up with <c>byId('wr-…')</c> or sets with <c>setText('wr-…', …)</c>.</summary>
    public static List<string> IdsRead(string script) =>
        IdRead().Matches(script).Select(m => m.Groups["id"].Value).Distinct().Where(id => id != "wr-console-data").ToList();

    /// <summary>The script's string literals in single quotes (its comments taken out first).</summary>
    public static List<string> StringLiterals(string script) =>
        Literal().Matches(Comment().Replace(script, string.Empty)).Select(m => m.Groups["value"].Value).ToList();

    [GeneratedRegex(@"\btext\.(?<key>[A-Za-z0-9_]+)")]
    private static partial Regex TextRead();

    [GeneratedRegex(@"(?:byId|setText)\('(?<id>wr-[^']+)'")]
    private static partial Regex IdRead();

    // A comment: a line that starts with //, or // after code and a space (not the // of a URL in a string).
    [GeneratedRegex(@"(?m)(?:^|\s)//\s.*$")]
    private static partial Regex Comment();

    [GeneratedRegex(@"'(?<value>(?:[^'\\\n]|\\.)*)'")]
    private static partial Regex Literal();
}
