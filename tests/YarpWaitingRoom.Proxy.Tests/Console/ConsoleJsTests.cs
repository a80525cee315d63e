using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using YarpWaitingRoom.Hosting;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Yarp.Console;
using YarpWaitingRoom.Yarp.Contracts;
using YarpWaitingRoom.Yarp.Gate;

namespace YarpWaitingRoom.Proxy.Tests.Console;

/// <summary>
/// <c>console.js</c> run under node against the console page (<see cref="ConsoleScript.RunAsync"/>): what it draws from the
/// live stream's room view, as the proxy serializes it, and what its controls ask and send.
/// </summary>
public sealed class ConsoleJsTests
{
    private const string Hostile = "<img src=x onerror=alert(1)>";

    public static TheoryData<string> Languages => [PageLanguages.English, PageLanguages.Korean];

    private static string Page(string language) => ConsolePage.Console(
        new(language, "alice", "csrf-token", new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero), "concert", ["concert"], 800, 1200, 1500));

    /// <summary>A room view as the live stream's tick carries it (<see cref="ProxyJsonContext"/>, camelCase).</summary>
    private static JsonObject View(
        int maxActive = 100,
        int maxPlacesPerNetwork = 0,
        int? maxPlacesPerNetworkConfigured = null,
        long networksAtCap = 0,
        IReadOnlyList<NetworkCount>? busiest = null,
        IReadOnlyDictionary<string, long>? entry = null)
    {
        var view = new RoomView(
            "concert", "Auto", false, new DateTimeOffset(2026, 12, 1, 11, 0, 0, TimeSpan.Zero), "manual", 0, 0, 0, 0, maxActive, 100, 0, 0, null, 0, null, false,
            Entry: entry, MaxPlacesPerNetwork: maxPlacesPerNetwork, MaxPlacesPerNetworkConfigured: maxPlacesPerNetworkConfigured ?? maxPlacesPerNetwork,
            NetworksAtCap: networksAtCap, BusiestNetworks: busiest);
        return JsonSerializer.SerializeToNode(view, ProxyJsonContext.Default.RoomView)!.AsObject();
    }

    // The tally's cell of a field: challengesIssued → wr-entry-challenges-issued.
    private static string TallyId(string field) =>
        "wr-entry-" + string.Concat(field.Select(c => char.IsUpper(c) ? "-" + char.ToLowerInvariant(c) : c.ToString()));

    private static JsonElement Element(JsonElement step, string id)
    {
        Assert.True(step.GetProperty("elements").TryGetProperty(id, out var element), $"no element {id}");
        return element;
    }

    private static string Text(JsonElement step, string id) => Element(step, id).GetProperty("text").GetString()!;

    private static bool Hidden(JsonElement step, string id) => Element(step, id).GetProperty("hidden").GetBoolean();

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture); // en and ko group alike

    [Theory]
    [MemberData(nameof(Languages))]
    public async Task BotsCard_FromAFullView_ShowsTheCapsTheNetworksAndTheTally_AndFromAnEmptyOne_OffNoneAndZeros(string language)
    {
        Assert.SkipWhen(ConsoleScript.Node is null, "node is not installed");
        var text = ConsoleTexts.For(language);
        var tally = EntryTally.Fields.Select((field, i) => (Field: field, Count: 1000L * (i + 1) + i)).ToList();
        var missing = tally[^1].Field; // a field the view lacks counts 0
        var full = View(
            maxPlacesPerNetwork: 12,
            maxPlacesPerNetworkConfigured: 50,
            networksAtCap: 2,
            busiest: [new("203.0.113.0/24", 12), new("2001:db8:1::/64", 1234), new(Hostile, 3)],
            entry: tally.Where(t => t.Field != missing).ToDictionary(t => t.Field, t => t.Count));

        var steps = await ConsoleScript.RunAsync(
            Page(language),
            ConsoleScript.Tick(full),
            ConsoleScript.Tick(View()),
            ConsoleScript.Tick(View(maxPlacesPerNetwork: 50, maxPlacesPerNetworkConfigured: 50, busiest: [])),
            ConsoleScript.Tick(View(maxPlacesPerNetwork: 50, maxPlacesPerNetworkConfigured: 0)));

        var (shown, empty, configured, configuredOff) = (steps[0], steps[1], steps[2], steps[3]);
        Assert.Equal("12", Text(shown, "wr-network-cap"));
        Assert.Equal(TextTable.Fill(text["networkCapConfigured"], ("n", "50")), Text(shown, "wr-network-cap-configured"));
        Assert.Equal("2", Text(shown, "wr-networks-at-cap"));
        var rows = Element(shown, "wr-busiest-networks").GetProperty("rows").EnumerateArray()
            .Select(row => string.Join(" | ", row.EnumerateArray().Select(cell => $"{cell.GetProperty("tag").GetString()}{(cell.GetProperty("scope").GetString() is { } scope ? "[" + scope + "]" : "")}:{cell.GetProperty("text").GetString()}")));
        Assert.Equal(["th[row]:203.0.113.0/24 | td:12", $"th[row]:2001:db8:1::/64 | td:{N(1234)}", $"th[row]:{Hostile} | td:3"], rows);
        Assert.True(Hidden(shown, "wr-busiest-networks-none"));
        Assert.All(tally, t => Assert.Equal(t.Field == missing ? "0" : N(t.Count), Text(shown, TallyId(t.Field))));

        Assert.Equal(text["networkCapOff"], Text(empty, "wr-network-cap"));
        Assert.Equal(string.Empty, Text(empty, "wr-network-cap-configured"));
        Assert.Equal("0", Text(empty, "wr-networks-at-cap"));
        Assert.Empty(Element(empty, "wr-busiest-networks").GetProperty("rows").EnumerateArray());
        Assert.False(Hidden(empty, "wr-busiest-networks-none"));
        Assert.Equal(text["busiestNetworksNone"], Text(empty, "wr-busiest-networks-none"));
        Assert.All(tally, t => Assert.Equal("0", Text(empty, TallyId(t.Field))));

        // The configured cap is said only when an operator's differs from it; a configured 0 is "off".
        Assert.Equal("50", Text(configured, "wr-network-cap"));
        Assert.Equal(string.Empty, Text(configured, "wr-network-cap-configured"));
        Assert.False(Hidden(configured, "wr-busiest-networks-none"));
        Assert.Equal(TextTable.Fill(text["networkCapConfigured"], ("n", text["networkCapOff"])), Text(configuredOff, "wr-network-cap-configured"));
    }

    [Fact]
    public async Task NetworkCapControl_AsksThenPutsTheNumberOrNull_WithTheCsrfHeader_AndSaysTheCapInForce()
    {
        Assert.SkipWhen(ConsoleScript.Node is null, "node is not installed");
        var text = ConsoleTexts.English;

        var steps = await ConsoleScript.RunAsync(
            Page(PageLanguages.English),
            ConsoleScript.Submit("network-cap", new Dictionary<string, string> { ["maxPlacesPerNetwork"] = "1000000" }, answer: View(maxPlacesPerNetwork: 1_000_000)),
            ConsoleScript.Submit("network-cap", new Dictionary<string, string> { ["maxPlacesPerNetwork"] = "" }, answer: View(maxPlacesPerNetwork: 50)),
            ConsoleScript.Submit("network-cap", new Dictionary<string, string> { ["maxPlacesPerNetwork"] = "0" }, answer: View()));

        var (set, reset, off) = (steps[0], steps[1], steps[2]);
        var call = Assert.Single(set.GetProperty("calls").EnumerateArray());
        Assert.Equal("/_wr/admin/rooms/concert/network-cap", call.GetProperty("url").GetString());
        Assert.Equal("PUT", call.GetProperty("method").GetString());
        Assert.Equal("csrf-token", call.GetProperty("headers").GetProperty("X-WaitingRoom-Csrf").GetString());
        Assert.Equal("""{"maxPlacesPerNetwork":1000000}""", call.GetProperty("body").GetRawText());
        Assert.Equal([TextTable.Fill(text["confirmNetworkCap"], ("room", "concert"), ("n", N(1_000_000)))], set.GetProperty("questions").EnumerateArray().Select(q => q.GetString()));
        Assert.Equal(TextTable.Fill(text["resultNetworkCap"], ("n", N(1_000_000))), Text(set, "wr-announce"));

        Assert.Equal("""{"maxPlacesPerNetwork":null}""", Assert.Single(reset.GetProperty("calls").EnumerateArray()).GetProperty("body").GetRawText());
        Assert.Equal([TextTable.Fill(text["confirmNetworkCapReset"], ("room", "concert"))], reset.GetProperty("questions").EnumerateArray().Select(q => q.GetString()));
        Assert.Equal(TextTable.Fill(text["resultNetworkCap"], ("n", "50")), Text(reset, "wr-announce"));

        Assert.Equal("""{"maxPlacesPerNetwork":0}""", Assert.Single(off.GetProperty("calls").EnumerateArray()).GetProperty("body").GetRawText());
        Assert.Equal(text["resultNetworkCapOff"], Text(off, "wr-announce"));
        Assert.True(Hidden(off, "wr-network-cap-error"));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("1000001")]
    [InlineData("2.5")]
    [InlineData("many")]
    public async Task NetworkCapControl_OutsideZeroToTheLimit_SaysSo_AndAsksAndSendsNothing(string value)
    {
        Assert.SkipWhen(ConsoleScript.Node is null, "node is not installed");
        var text = ConsoleTexts.English;

        var step = (await ConsoleScript.RunAsync(
            Page(PageLanguages.English),
            ConsoleScript.Submit("network-cap", new Dictionary<string, string> { ["maxPlacesPerNetwork"] = value })))[0];

        Assert.Empty(step.GetProperty("calls").EnumerateArray());
        Assert.Empty(step.GetProperty("questions").EnumerateArray());
        Assert.False(Hidden(step, "wr-network-cap-error"));
        Assert.Equal(TextTable.Fill(text["errorNumber"], ("min", "0"), ("max", N(ConsolePage.MaxPlacesPerNetworkLimit))), Text(step, "wr-network-cap-error"));
        Assert.Equal("true", Element(step, "wr-network-cap-input").GetProperty("invalid").GetString());
    }

    [Fact]
    public async Task NetworkCapControl_RefusedByTheApi_ShowsTheProblemsDetail()
    {
        Assert.SkipWhen(ConsoleScript.Node is null, "node is not installed");
        var problem = new JsonObject { ["type"] = "invalid-network-cap", ["title"] = "Invalid", ["detail"] = "maxPlacesPerNetwork must be 0 to 1000000", ["field"] = "maxPlacesPerNetwork" };

        var step = (await ConsoleScript.RunAsync(
            Page(PageLanguages.English),
            ConsoleScript.Submit("network-cap", new Dictionary<string, string> { ["maxPlacesPerNetwork"] = "5" }, 400, problem)))[0];

        Assert.Single(step.GetProperty("calls").EnumerateArray());
        Assert.Equal(TextTable.Fill(ConsoleTexts.English["errorFailed"], ("detail", "maxPlacesPerNetwork must be 0 to 1000000")), Text(step, "wr-network-cap-error"));
        Assert.False(Hidden(step, "wr-network-cap-error"));
    }

    [Fact]
    public async Task MaxActiveControl_SharingTheCapPlan_StillPutsMaxActive_AndSaysTheCapInForce()
    {
        Assert.SkipWhen(ConsoleScript.Node is null, "node is not installed");
        var text = ConsoleTexts.English;

        var steps = await ConsoleScript.RunAsync(
            Page(PageLanguages.English),
            ConsoleScript.Submit("max-active", new Dictionary<string, string> { ["maxActive"] = "7" }, answer: View(maxActive: 7)),
            ConsoleScript.Submit("max-active", new Dictionary<string, string> { ["maxActive"] = "" }, answer: View(maxActive: 100)));

        var call = Assert.Single(steps[0].GetProperty("calls").EnumerateArray());
        Assert.Equal("/_wr/admin/rooms/concert/max-active", call.GetProperty("url").GetString());
        Assert.Equal("""{"maxActive":7}""", call.GetProperty("body").GetRawText());
        Assert.Equal([TextTable.Fill(text["confirmMaxActive"], ("room", "concert"), ("n", "7"))], steps[0].GetProperty("questions").EnumerateArray().Select(q => q.GetString()));
        Assert.Equal(TextTable.Fill(text["resultMaxActive"], ("n", "7")), Text(steps[0], "wr-announce"));
        Assert.Equal("""{"maxActive":null}""", Assert.Single(steps[1].GetProperty("calls").EnumerateArray()).GetProperty("body").GetRawText());
        Assert.Equal([TextTable.Fill(text["confirmMaxActiveReset"], ("room", "concert"))], steps[1].GetProperty("questions").EnumerateArray().Select(q => q.GetString()));
        Assert.Equal(TextTable.Fill(text["resultMaxActive"], ("n", "100")), Text(steps[1], "wr-announce"));
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public async Task Timeline_NamesAnOperatorsNetworkCapChange(string language)
    {
        Assert.SkipWhen(ConsoleScript.Node is null, "node is not installed");
        var change = new TimelineItem("1-0", new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero), "operator", Operator: "alice", Action: "network-cap", Detail: "25");
        var timeline = new JsonArray(JsonSerializer.SerializeToNode(change, ProxyJsonContext.Default.TimelineItem));

        var step = (await ConsoleScript.RunAsync(Page(language), ConsoleScript.Tick(View(), timeline)))[0];

        var text = ConsoleTexts.For(language);
        Assert.EndsWith(TextTable.Fill(text["eventOperator"], ("operator", "alice"), ("action", text["actionNetworkCap"])) + " (25)", Text(step, "wr-timeline"), StringComparison.Ordinal);
        Assert.True(Hidden(step, "wr-timeline-empty"));
    }
}
