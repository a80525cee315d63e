using System.Diagnostics;
using System.Text.RegularExpressions;

namespace YarpWaitingRoom.OpsTests;

/// <summary>
/// <c>./stack</c> and the helper files it sources from <c>stack.d/</c>, read as text (and parsed by <c>bash -n</c>, which
/// runs nothing): the script is a dispatcher that knows the services' addresses and admin APIs, not the product's Redis
/// keys, notify messages or tables.
/// </summary>
public sealed partial class StackScriptTests
{
    public static TheoryData<string> Scripts => new(SourcedFiles().Prepend("stack"));

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task Script_ParsesWithBashN(string path)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-n");
        start.ArgumentList.Add(Repository.PathOf(path));
        using var bash = Process.Start(start)!;
        var errors = await bash.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await bash.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.True(bash.ExitCode == 0, $"bash -n {path}: {errors}");
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_NeverEvaluatesATextAsACommand(string path)
    {
        var lines = CodeLines(path).Where(line => Eval().IsMatch(line.Text)).Select(line => $"{path}:{line.Number}: {line.Text.Trim()}").ToList();

        Assert.True(lines.Count == 0, string.Join(Environment.NewLine, lines));
    }

    [Fact]
    public void Stack_SourcesEveryHelperFile_AndOnlyFilesThatExist()
    {
        var sourced = CodeLines("stack").Select(line => Source().Match(line.Text)).Where(m => m.Success).Select(m => m.Groups["path"].Value).ToList();

        Assert.Equal(SourcedFiles().Order(StringComparer.Ordinal), sourced.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_KnowsNoRedisKeyNotifyMessageOrTableOfTheProduct(string path)
    {
        string[] internals = ["{wr:", "redis-cli -p \"$REDIS_PORT\" --scan", "UNLINK", "SPUBLISH", "state|", "TRUNCATE", "holds", "reservations,"];
        var found = CodeLines(path)
            .SelectMany(line => internals.Where(word => line.Text.Contains(word, StringComparison.Ordinal)).Select(word => $"{path}:{line.Number}: {word}"))
            .ToList();

        Assert.True(found.Count == 0, string.Join(Environment.NewLine, found));
    }

    private static IEnumerable<string> SourcedFiles() =>
        Directory.EnumerateFiles(Repository.PathOf("stack.d"), "*.sh").Select(Repository.Relative).Order(StringComparer.Ordinal);

    /// <summary>The lines that are not comments, with their 1-based numbers.</summary>
    private static IEnumerable<(int Number, string Text)> CodeLines(string path) =>
        File.ReadAllLines(Repository.PathOf(path))
            .Select((text, index) => (Number: index + 1, Text: text))
            .Where(line => !line.Text.TrimStart().StartsWith('#'));

    [GeneratedRegex(@"(^|[\s;&|(`])eval(\s|$)")]
    private static partial Regex Eval();

    [GeneratedRegex(@"^\s*(?:source|\.)\s+""\$ROOT/(?<path>[^""]+)""")]
    private static partial Regex Source();
}
