using System.Diagnostics;
using System.Text.RegularExpressions;
using YarpWaitingRoom.Yarp.Console;

namespace YarpWaitingRoom.Proxy.Tests.Console;

/// <summary>
/// The console's words: one table per language with the same keys and placeholders, and <c>console.js</c> reads only
/// keys the tables have and holds no words of its own.
/// </summary>
public sealed partial class ConsoleTextsTests
{
    // Values of the admin API the script sends or compares (a mode, a challenge), which a text may happen to spell alike.
    private static readonly HashSet<string> ProtocolValues = new(StringComparer.Ordinal) { "Auto", "On", "Off", "Paused", "None", "ProofOfWork", "Lottery", "Fifo", "Open", "Invitation" };

    [Fact]
    public void Texts_InKoreanAndEnglish_HaveTheSameKeysAndPerKeyTheSamePlaceholders()
    {
        var english = ConsoleTexts.English.All;
        var korean = ConsoleTexts.Korean.All;

        Assert.Equal(english.Keys.Order(StringComparer.Ordinal), korean.Keys.Order(StringComparer.Ordinal));
        Assert.All(english, text =>
        {
            Assert.False(string.IsNullOrWhiteSpace(text.Value), "en: " + text.Key);
            Assert.False(string.IsNullOrWhiteSpace(korean[text.Key]), "ko: " + text.Key);
            Assert.True(Placeholders(text.Value).SetEquals(Placeholders(korean[text.Key])), $"{text.Key}: '{text.Value}' and '{korean[text.Key]}'");
        });
    }

    [Fact]
    public void Texts_InKorean_AreKorean()
    {
        Assert.All(
            ConsoleTexts.Korean.All.Where(t => t.Key != "languageName" && !t.Value.StartsWith('{')),
            text => Assert.True(Hangul().IsMatch(text.Value) || text.Key is "eventOperator" or "milliseconds", $"ko: {text.Key} = '{text.Value}'"));
    }

    [Fact]
    public void ConsoleJs_ReadsOnlyTextsTheTablesHave()
    {
        var keys = ConsoleScript.TextsRead(ConsoleScript.Source());

        Assert.NotEmpty(keys);
        Assert.All(keys, key => Assert.True(ConsoleTexts.English.All.ContainsKey(key), $"console.js reads text.{key}, which Console/Texts has not"));
    }

    [Fact]
    public void ConsoleJs_HasNoTextOfItsOwn_NoHangulAndNoWordsInItsStrings()
    {
        var script = ConsoleScript.Source();
        var literals = ConsoleScript.StringLiterals(script);

        Assert.False(Hangul().IsMatch(script), "Hangul in console.js: " + Hangul().Match(script).Value);
        Assert.NotEmpty(literals);
        Assert.All(literals.Where(literal => literal != "use strict"), literal =>
        {
            Assert.False(Words().IsMatch(literal), $"words in a console.js string: '{literal}'");
            if (!ProtocolValues.Contains(literal))
            {
                Assert.DoesNotContain(literal, ConsoleTexts.English.All.Values);
            }
        });
    }

    [Fact]
    public void ConsoleJs_IsValidJavaScript()
    {
        var node = ConsoleScript.Node;
        Assert.SkipWhen(node is null, "node is not installed");
        var file = Path.Combine(Path.GetTempPath(), "console-" + Guid.NewGuid().ToString("N") + ".js");
        File.WriteAllText(file, ConsoleScript.Source());
        try
        {
            using var check = Process.Start(new ProcessStartInfo(node!, ["--check", file]) { RedirectStandardError = true })!;
            var errors = check.StandardError.ReadToEnd();
            check.WaitForExit(TimeSpan.FromSeconds(30));

            Assert.True(check.ExitCode == 0, errors);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static HashSet<string> Placeholders(string text) =>
        Placeholder().Matches(text).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"\{(?<name>[A-Za-z0-9_]+)\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"[\u1100-\u11FF\u3130-\u318F\uAC00-\uD7AF]")]
    private static partial Regex Hangul();

    // Two words in a row: a sentence for a person, which belongs in the tables.
    [GeneratedRegex(@"\p{L}{2,}\s+\p{L}{2,}")]
    private static partial Regex Words();
}
