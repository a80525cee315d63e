using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using StackExchange.Redis;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Hub.Page;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.SocketHub.Tests;

/// <summary>
/// The waiting page links and follows only paths of this site (<see cref="LocalUrls"/>), whatever <c>return=</c> says;
/// its words come from one table per language (<see cref="PageTexts"/>) and its timings from the options, for the server
/// and for <c>wait.js</c> alike.
/// </summary>
public sealed partial class WaitingPageTests(RedisFixture redis) : IAsyncLifetime
{
    public static TheoryData<string> HostileReturns =>
    [
        "/\t/evil.example",
        "/\n/evil.example",
        "/\\evil.example",
        "//evil.example",
        "/\u3000/evil.example",
        "/\u2028/evil.example",
        "https://evil.example",
        "javascript:alert(1)",
    ];

    private ConnectionMultiplexer _redis = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _redis = await redis.ConnectAsync();

    public async ValueTask DisposeAsync() => await _redis.DisposeAsync();

    [Theory]
    [MemberData(nameof(HostileReturns))]
    public async Task JoinAgainLink_WithAReturnThatIsNotLocal_PointsToTheSite(string hostile)
    {
        await using var hub = new HubApp(redis.ConnectionString, RoomName(), "hub-a");
        using var client = hub.CreateClient();

        using var response = await client.GetAsync($"/_wr/wait/{hub.Room}?t=forged&return={Uri.EscapeDataString(hostile)}", Cancellation);
        var html = await response.Content.ReadAsStringAsync(Cancellation);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("/", Rejoin().Match(html).Groups["href"].Value);
        Assert.Contains("\"returnUrl\":\"/\"", html, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(HostileReturns))]
    public async Task WaitingPage_WithAReturnThatIsNotLocal_KeepsTheTicketsOwn(string hostile)
    {
        await using var hub = new HubApp(redis.ConnectionString, RoomName(), "hub-a");
        var join = await hub.Queue(_redis).JoinAsync("v1", queueOff: false);
        using var client = hub.CreateClient();

        var html = await client.GetStringAsync($"/_wr/wait/{hub.Room}?t={Uri.EscapeDataString(HubApp.TicketFor(hub.Room, "v1", join.Ticket, returnUrl: "/api/concerts"))}&return={Uri.EscapeDataString(hostile)}", Cancellation);

        Assert.Contains("\"returnUrl\":\"/api/concerts\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("evil", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitJs_FollowsTheSameLocalUrlRule()
    {
        await using var hub = new HubApp(redis.ConnectionString, RoomName(), "hub-a");
        using var client = hub.CreateClient();

        var script = await client.GetStringAsync("/_wr/wait-assets/wait.js", Cancellation);

        Assert.Contains("/" + LocalUrls.Pattern + "/", script, StringComparison.Ordinal);
    }

    [Fact]
    public void Texts_InKoreanAndEnglish_HaveTheSameKeysAndPerKeyTheSamePlaceholders()
    {
        var english = PageTexts.English.All;
        var korean = PageTexts.Korean.All;

        Assert.Equal(english.Keys.Order(StringComparer.Ordinal), korean.Keys.Order(StringComparer.Ordinal));
        Assert.All(english, text =>
        {
            Assert.False(string.IsNullOrWhiteSpace(text.Value), "en: " + text.Key);
            Assert.False(string.IsNullOrWhiteSpace(korean[text.Key]), "ko: " + text.Key);
            Assert.True(Placeholders(text.Value).SetEquals(Placeholders(korean[text.Key])), $"{text.Key}: '{text.Value}' and '{korean[text.Key]}'");
        });
    }

    [Fact]
    public void Fill_ReplacesEachPlaceholderItHasAValueFor_AndLeavesTheRestAsTheyAre()
    {
        var filled = PageTexts.Fill("({n}) {n} {m}{ {x}} {}", ("n", "1,234"), ("m", "5"));

        Assert.Equal("(1,234) 1,234 5{ {x}} {}", filled);
    }

    [Fact]
    public async Task WaitJs_HasNoTextOfItsOwn_NoHangulAndNoWordsInItsStrings()
    {
        await using var hub = new HubApp(redis.ConnectionString, RoomName(), "hub-a");
        using var client = hub.CreateClient();

        var script = await client.GetStringAsync("/_wr/wait-assets/wait.js", Cancellation);
        var literals = StringLiterals(script);

        Assert.False(Hangul().IsMatch(script), "Hangul in wait.js: " + Hangul().Match(script).Value);
        Assert.NotEmpty(literals);
        // "use strict" is the one literal of two words: a directive.
        Assert.All(literals.Where(literal => literal != "use strict"), literal =>
        {
            Assert.False(Words().IsMatch(literal), $"words in a wait.js string: '{literal}'");
            Assert.DoesNotContain(literal, PageTexts.English.All.Values);
        });
    }

    [Fact]
    public async Task WaitJs_ReadsOnlyTextsTheTableHas()
    {
        await using var hub = new HubApp(redis.ConnectionString, RoomName(), "hub-a");
        using var client = hub.CreateClient();

        var script = await client.GetStringAsync("/_wr/wait-assets/wait.js", Cancellation);
        var keys = TextRead().Matches(script).Select(m => m.Groups["key"].Value).Distinct().ToList();

        Assert.NotEmpty(keys);
        Assert.All(keys, key => Assert.True(PageTexts.English.All.ContainsKey(key), $"wait.js reads text.{key}, which Page/Texts has not"));
    }

    [Theory]
    [InlineData(WaitingPage.English)]
    [InlineData(WaitingPage.Korean)]
    public async Task WaitingPage_InARoomWithAbandonAfter45s_SaysAVisitorAwayLongerThan45SecondsLosesThePlace(string language)
    {
        await using var hub = new HubApp(redis.ConnectionString, RoomName(), "hub-a", new Dictionary<string, string?> { ["AbandonAfter"] = "00:00:45" });

        var html = await WaitingPageAsync(hub, language);
        var keepOpen = KeepOpen().Match(html).Groups["text"].Value;

        Assert.Equal(PageTexts.Fill(PageTexts.For(language)["keepOpen"], ("seconds", "45")), keepOpen);
        Assert.Contains("45", keepOpen, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitingPageData_CarriesTheRoomsHeartbeatInterval_AndASilenceLimitOfTwoPushIntervalsAndAHeartbeat()
    {
        await using var hub = new HubApp(
            redis.ConnectionString, RoomName(), "hub-a", new Dictionary<string, string?> { ["HeartbeatInterval"] = "00:00:07" }, pushInterval: "00:00:03");

        var data = Data(await WaitingPageAsync(hub, WaitingPage.English));

        Assert.Equal(7_000, data.GetProperty("heartbeatMs").GetInt64());
        Assert.Equal(13_000, data.GetProperty("silenceLimitMs").GetInt64());
    }

    [Theory]
    [InlineData(WaitingPage.English)]
    [InlineData(WaitingPage.Korean)]
    public async Task WaitingPageData_CarriesTheWholeTextTableOfThePagesLanguage(string language)
    {
        await using var hub = new HubApp(redis.ConnectionString, RoomName(), "hub-a");

        var data = Data(await WaitingPageAsync(hub, language));
        var texts = data.GetProperty("text").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

        Assert.Equal(language, data.GetProperty("lang").GetString());
        Assert.Equal(PageTexts.For(language).All.OrderBy(p => p.Key, StringComparer.Ordinal), texts.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    public static TheoryData<string, string, long?, double?, string, string?> Pages => new()
    {
        { WaitingPage.English, "t", 1_234, 5_400, "waiting", null },
        { WaitingPage.Korean, "t", 1_234, 5_400, "waiting", null },
        { WaitingPage.English, "t", 2, 7_200, "waiting", null },
        { WaitingPage.Korean, "t", 2, 600, "waiting", null },
        { WaitingPage.English, "t", null, 30, "unknown", null },
        { WaitingPage.Korean, "t", null, null, "waiting", null },
        { WaitingPage.English, "t", 0, 0, "active", "/_wr/enter/r?code=c" },
        { WaitingPage.Korean, "t", 0, 0, "active", null },
        { WaitingPage.English, "t", null, null, "gone", null },
        { WaitingPage.Korean, string.Empty, null, null, "unknown", null },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public void Render_InEveryStateAndLanguage_FillsEveryPlaceholderOfThePage(string language, string ticket, long? position, double? eta, string state, string? enterUrl)
    {
        var model = new WaitingPageModel("r", ticket, "/", position, eta, false, language, state, enterUrl);

        var html = WaitingPage.Render(model, WaitingPageTimings.For(null, TimeSpan.FromSeconds(10)));
        var markup = DataBlock().Replace(html, string.Empty); // the data's texts are templates for wait.js to fill

        Assert.NotEqual(html, markup);
        Assert.False(Placeholder().IsMatch(markup), "unfilled: " + Placeholder().Match(markup).Value);
    }

    private static string RoomName() => "r" + Guid.NewGuid().ToString("N")[..10];

    private async Task<string> WaitingPageAsync(HubApp hub, string language)
    {
        var join = await hub.Queue(_redis).JoinAsync("v1", queueOff: false);
        using var client = hub.CreateClient();
        var ticket = Uri.EscapeDataString(HubApp.TicketFor(hub.Room, "v1", join.Ticket));
        return await client.GetStringAsync($"/_wr/wait/{hub.Room}?t={ticket}&lang={language}", Cancellation);
    }

    private static JsonElement Data(string html)
    {
        using var document = JsonDocument.Parse(DataBlock().Match(html).Groups["json"].Value);
        return document.RootElement.Clone();
    }

    private static HashSet<string> Placeholders(string text) =>
        Placeholder().Matches(text).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// The text of every string in a script: quoted strings and the text runs of template literals (not their
    /// <c>${…}</c>), comments left out. Enough for wait.js, whose regular-expression literals hold no quote.
    /// </summary>
    private static List<string> StringLiterals(string script)
    {
        var literals = new List<string>();
        var i = 0;
        while (i < script.Length)
        {
            if (script.AsSpan(i).StartsWith("//"))
            {
                var end = script.IndexOf('\n', i);
                i = end < 0 ? script.Length : end;
                continue;
            }

            if (script.AsSpan(i).StartsWith("/*"))
            {
                i = script.IndexOf("*/", i + 2, StringComparison.Ordinal) + 2;
                continue;
            }

            var quote = script[i++];
            if (quote is not ('\'' or '"' or '`'))
            {
                continue;
            }

            var literal = new StringBuilder();
            while (script[i] != quote)
            {
                if (script[i] == '\\')
                {
                    literal.Append(script[i + 1]);
                    i += 2;
                }
                else if (quote == '`' && script.AsSpan(i).StartsWith("${"))
                {
                    literals.Add(literal.ToString());
                    literal.Clear();
                    var depth = 0;
                    do
                    {
                        depth += script[i] switch { '{' => 1, '}' => -1, _ => 0 };
                        i++;
                    }
                    while (depth > 0);
                }
                else
                {
                    literal.Append(script[i++]);
                }
            }

            literals.Add(literal.ToString());
            i++;
        }

        return literals;
    }

    [GeneratedRegex("id=\"wr-rejoin\" href=\"(?<href>[^\"]*)\"")]
    private static partial Regex Rejoin();

    [GeneratedRegex("""<p class="wr-keep-open" id="wr-keep-open">(?<text>[^<]*)</p>""")]
    private static partial Regex KeepOpen();

    [GeneratedRegex("""<script type="application/json" id="wr-data">(?<json>[^<]*)</script>""")]
    private static partial Regex DataBlock();

    // As wait.js's fill: a name of ASCII letters, digits and '_' in braces.
    [GeneratedRegex(@"\{(?<name>[A-Za-z0-9_]+)\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"[\u1100-\u11FF\u3130-\u318F\uAC00-\uD7AF]")]
    private static partial Regex Hangul();

    // Two words in a row: a sentence, or the start of one.
    [GeneratedRegex(@"\p{L}+\s+\p{L}+")]
    private static partial Regex Words();

    [GeneratedRegex(@"\btext\.(?<key>[A-Za-z0-9_]+)")]
    private static partial Regex TextRead();
}
