using System.Text.Json;
using System.Text.RegularExpressions;
using YarpWaitingRoom.OpsTests.Configuration;

namespace YarpWaitingRoom.OpsTests.Readme;

/// <summary>
/// The README's "Put it in front of your API" names configuration the proxy reads: every <c>Section__Key</c> variable
/// and every waiting-room key of its JSON examples resolves against the options <c>AddWaitingRoom</c> binds, so a
/// misspelt key (which .NET would ignore without a word) fails here.
/// </summary>
public sealed partial class ReadmeEmbeddingTests
{
    private const string Chapter = "## Put it in front of your API";

    [Fact]
    public void PutItInFrontOfYourApi_EveryVariable_IsOneTheProxyReads()
    {
        var chapter = Markdown.Section(Repository.ReadAllText("README.md"), Chapter);
        var sut = new ConfigurationKeyResolver(ServiceConfiguration.Of("proxy"));

        var variables = Variable().Matches(chapter).Select(m => WithSampleValues(m.Value)).Distinct().ToList();

        Assert.True(variables.Count >= 6, $"the chapter names only {variables.Count} variables");
        Assert.All(variables, variable => Assert.True(sut.Resolve(variable) is { IsValid: true }, sut.Resolve(variable).Description));
    }

    [Fact]
    public void PutItInFrontOfYourApi_EveryWaitingRoomKeyOfTheJsonExamples_IsOneTheProxyReads()
    {
        var chapter = Markdown.Section(Repository.ReadAllText("README.md"), Chapter);
        var sut = new ConfigurationKeyResolver(ServiceConfiguration.Of("proxy"));

        var keys = Markdown.CodeBlocks(chapter, "json")
            .SelectMany(block => Keys(ParseExample(block).RootElement, prefix: null))
            .Where(key => key.StartsWith("WaitingRoom__", StringComparison.Ordinal) || key.StartsWith("ConnectionStrings__", StringComparison.Ordinal))
            .ToList();

        Assert.Contains("WaitingRoom__Rooms__sale__MaxActive", keys);
        Assert.All(keys, key => Assert.True(sut.Resolve(key) is { IsValid: true }, sut.Resolve(key).Description));
    }

    /// <summary>A whole document, or a fragment of one (<c>"Section": {...}, ...</c>).</summary>
    private static JsonDocument ParseExample(string block) =>
        block.TrimStart().StartsWith('{') ? JsonDocument.Parse(block) : JsonDocument.Parse("{" + block + "}");

    /// <summary>The leaves of a JSON document as environment variable names (<c>A__B__C</c>).</summary>
    private static IEnumerable<string> Keys(JsonElement element, string? prefix) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Keys(p.Value, prefix is null ? p.Name : prefix + "__" + p.Name)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany((item, i) => Keys(item, prefix + "__" + i)),
        _ => [prefix!],
    };

    private static string WithSampleValues(string variable) =>
        variable.Replace("<room>", "sale", StringComparison.Ordinal).Replace("<id>", "k1", StringComparison.Ordinal).Replace("<Key>", "MaxActive", StringComparison.Ordinal);

    [GeneratedRegex(@"\b(?:WaitingRoom|ReverseProxy|ConnectionStrings)__[A-Za-z0-9_<>-]+")]
    private static partial Regex Variable();
}
