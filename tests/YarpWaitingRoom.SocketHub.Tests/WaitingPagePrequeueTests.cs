using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using YarpWaitingRoom.Hub.Page;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Scheduling;
using YarpWaitingRoom.Testing;

using static YarpWaitingRoom.SocketHub.Tests.PageHtml;

namespace YarpWaitingRoom.SocketHub.Tests;

/// <summary>
/// The waiting page of a scheduled sale: in the pre-queue a countdown to the start, the visitor's receipt, and the promise
/// that arriving earlier gives no advantage; after the draw the place in line with the receipt beside it. The page is
/// titled with the sale's name, else the room's display name in its language, never the bare room name while one is set.
/// </summary>
public sealed partial class WaitingPagePrequeueTests(RedisFixture redis) : IAsyncLifetime
{
    private const string EventName = "Seoul Philharmonic — New Year 2027";

    private static readonly WaitingPageTimings Timings = WaitingPageTimings.For(null, TimeSpan.FromSeconds(10));

    private ConnectionMultiplexer _redis = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _redis = await redis.ConnectAsync();

    public async ValueTask DisposeAsync() => await _redis.DisposeAsync();

    [Theory]
    [InlineData(WaitingPage.English, "Starts in", "10 min")]
    [InlineData(WaitingPage.Korean, "시작까지 남은 시간", "10분")]
    public async Task WaitingPage_InThePrequeue_ShowsTheCountdownTheReceiptAndThatArrivingEarlierGivesNoAdvantage(string language, string label, string minutes)
    {
        await using var hub = new HubApp(redis.ConnectionString, RoomName(), "hub-a");
        var now = DateTimeOffset.UtcNow;
        var startsAt = now + TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(40);
        await ScheduleAsync(hub, now - TimeSpan.FromMinutes(1), startsAt);
        var join = await hub.Queue(_redis).JoinAsync("fan", queueOff: true);
        var text = PageTexts.For(language);

        using var client = hub.CreateClient();
        using var response = await client.GetAsync(PageUrl(hub, "fan", join.Ticket, language), Cancellation);
        var html = await response.Content.ReadAsStringAsync(Cancellation);

        Assert.Equal(TicketState.Prequeue, join.State);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("prequeue", BodyState().Match(html).Groups["state"].Value);
        Assert.Equal(label, Element(html, "wr-countdown-label"));
        Assert.StartsWith(minutes, Element(html, "wr-countdown"), StringComparison.Ordinal);
        Assert.Equal(startsAt.ToUnixTimeMilliseconds(), DateTimeOffset.Parse(StartTime().Match(html).Groups["iso"].Value, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds());
        Assert.Equal(join.Receipt, Tags().Replace(Element(html, "wr-receipt-code"), string.Empty));
        Assert.Equal(text["receiptHelp"], Element(html, "wr-receipt-help"));
        Assert.Equal(text["fairLottery"], Element(html, "wr-fair"));
        Assert.Contains($"href=\"/_wr/rooms/{hub.Room}/event\"", html, StringComparison.Ordinal);
        Assert.Equal(EventName, Element(html, "wr-room"));
        Assert.Equal($"{text["titlePrequeue"]} – {EventName}", Title().Match(html).Groups["title"].Value);
        Assert.Contains("""<noscript><meta http-equiv="refresh" content="10"></noscript>""", html, StringComparison.Ordinal);
        Assert.DoesNotContain(" hidden", OpeningTag(html, "wr-prequeue"), StringComparison.Ordinal);
        Assert.DoesNotContain(" hidden", OpeningTag(html, "wr-receipt"), StringComparison.Ordinal);
        Assert.Contains(" hidden", OpeningTag(html, "wr-queued"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitingPage_InAFifoSalesPrequeue_DoesNotPromiseAnEqualChance()
    {
        await using var hub = new HubApp(redis.ConnectionString, RoomName(), "hub-a");
        var now = DateTimeOffset.UtcNow;
        await ScheduleAsync(hub, now - TimeSpan.FromMinutes(1), now + TimeSpan.FromMinutes(10), DrawOrder.Fifo);
        var join = await hub.Queue(_redis).JoinAsync("fan", queueOff: true);

        using var client = hub.CreateClient();
        var html = await client.GetStringAsync(PageUrl(hub, "fan", join.Ticket, WaitingPage.English), Cancellation);

        Assert.Equal(PageTexts.English["fairFifo"], Element(html, "wr-fair"));
        Assert.DoesNotContain(PageTexts.English["fairLottery"], DataBlock().Replace(html, string.Empty), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(WaitingPage.English)]
    [InlineData(WaitingPage.Korean)]
    public async Task WaitingPage_AfterTheDraw_ShowsThePositionWithTheReceipt(string language)
    {
        await using var hub = new HubApp(redis.ConnectionString, RoomName(), "hub-a");
        // The sale's whole life in the last few seconds, on a clock of the test's own: the hub reads it with the real one.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromSeconds(10));
        var queue = new QueueStore(_redis, hub.Room, hub.RoomOptions, time);
        var start = time.GetUtcNow();
        var (outcome, _) = await queue.Schedule.ScheduleAsync(new ScheduledEvent(EventName, start + TimeSpan.FromSeconds(1), start + TimeSpan.FromSeconds(5), DrawOrder.Lottery));
        Assert.Equal(ScheduleOutcome.Scheduled, outcome);
        time.Advance(TimeSpan.FromSeconds(2));
        var joins = new List<JoinResult>();
        for (var i = 0; i < 5; i++)
        {
            joins.Add(await queue.JoinAsync($"v{i}", queueOff: true));
        }

        time.Advance(TimeSpan.FromSeconds(4));
        var draw = await new SaleDraw(_redis, queue.Keys, time).DrawAsync(await queue.NextFenceAsync());
        var drawn = await queue.GetStatusAsync(joins[3].Ticket);

        using var client = hub.CreateClient();
        var html = await client.GetStringAsync(PageUrl(hub, "v3", joins[3].Ticket, language), Cancellation);
        var text = PageTexts.For(language);

        Assert.Equal(DrawOutcome.Drawn, draw.Outcome);
        Assert.Equal("waiting", BodyState().Match(html).Groups["state"].Value);
        Assert.Equal(drawn.Position.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), Element(html, "wr-position-number"));
        Assert.Equal(joins[3].Receipt, Tags().Replace(Element(html, "wr-receipt-code"), string.Empty));
        Assert.Equal(text["leadDrawn"], Element(html, "wr-lead"));
        Assert.DoesNotContain(" hidden", OpeningTag(html, "wr-receipt"), StringComparison.Ordinal);
        Assert.Contains(" hidden", OpeningTag(html, "wr-prequeue"), StringComparison.Ordinal);
        Assert.Equal(EventName, Element(html, "wr-room"));
    }

    [Theory]
    [InlineData(WaitingPage.Korean, "콘서트 예매")]
    [InlineData(WaitingPage.English, "Concert tickets")]
    public async Task WaitingPage_WithoutASale_IsTitledWithTheRoomsDisplayNameInItsLanguage_NotTheRoomName(string language, string expected)
    {
        await using var hub = new HubApp(redis.ConnectionString, RoomName(), "hub-a", new Dictionary<string, string?>
        {
            ["DisplayName:ko"] = "콘서트 예매",
            ["DisplayName:en"] = "Concert tickets",
        });

        var html = await WaitingPageAsync(hub, language);
        var title = Title().Match(html).Groups["title"].Value;

        Assert.Equal(expected, Element(html, "wr-room"));
        Assert.EndsWith(" – " + expected, title, StringComparison.Ordinal);
        Assert.DoesNotContain(hub.Room, title, StringComparison.Ordinal);
        Assert.DoesNotContain(hub.Room, Element(html, "wr-room"), StringComparison.Ordinal);
        Assert.Equal(expected, Data(html, "name"));
    }

    [Fact]
    public async Task WaitingPage_WithADisplayNameInEnglishOnly_UsesItOnTheKoreanPage()
    {
        await using var hub = new HubApp(redis.ConnectionString, RoomName(), "hub-a", new Dictionary<string, string?> { ["DisplayName:en"] = "Concert tickets" });

        var html = await WaitingPageAsync(hub, WaitingPage.Korean);

        Assert.Equal("Concert tickets", Element(html, "wr-room"));
    }

    [Fact]
    public async Task WaitingPage_WithNeitherASaleNorADisplayName_FallsBackToTheRoomName()
    {
        await using var hub = new HubApp(redis.ConnectionString, RoomName(), "hub-a");

        var html = await WaitingPageAsync(hub, WaitingPage.English);

        Assert.Equal(hub.Room, Element(html, "wr-room"));
    }

    [Fact]
    public async Task WaitingPage_OfARoomWithASale_IsTitledWithTheSalesName_BeforeTheDisplayName()
    {
        await using var hub = new HubApp(redis.ConnectionString, RoomName(), "hub-a", new Dictionary<string, string?> { ["DisplayName:en"] = "Concert tickets" });
        var now = DateTimeOffset.UtcNow;
        await ScheduleAsync(hub, now + TimeSpan.FromHours(1), now + TimeSpan.FromHours(2));

        var html = await WaitingPageAsync(hub, WaitingPage.English);

        Assert.Equal("waiting", BodyState().Match(html).Groups["state"].Value); // the pre-queue has not opened
        Assert.Equal(EventName, Element(html, "wr-room"));
        Assert.EndsWith(" – " + EventName, Title().Match(html).Groups["title"].Value, StringComparison.Ordinal);
    }

    public static TheoryData<int, string, string> Countdowns => new()
    {
        { 0, "Starting now: your place in line is on its way…", "지금 시작합니다. 곧 대기 순번이 나옵니다…" },
        { -5, "Starting now: your place in line is on its way…", "지금 시작합니다. 곧 대기 순번이 나옵니다…" },
        { 45, "45 s", "45초" },
        { 605, "10 min 5 s", "10분 5초" },
        { (3 * 3600) + 125, "3 h 2 min", "3시간 2분" },
        { (2 * 86_400) + (5 * 3600) + 59, "2 d 5 h", "2일 5시간" },
    };

    [Theory]
    [MemberData(nameof(Countdowns))]
    public void Render_InThePrequeue_StatesTheTimeLeftInWholeSecondsRoundedUp_InEachLanguage(int seconds, string english, string korean)
    {
        var now = new DateTimeOffset(2026, 11, 30, 10, 59, 0, TimeSpan.Zero);
        var startsAt = now + TimeSpan.FromSeconds(seconds) - TimeSpan.FromMilliseconds(seconds > 0 ? 400 : 0);

        Assert.Equal(english, Element(Render(WaitingPage.English, startsAt, now), "wr-countdown"));
        Assert.Equal(korean, Element(Render(WaitingPage.Korean, startsAt, now), "wr-countdown"));
    }

    [Theory]
    [InlineData(WaitingPage.English, "Starts at <time id=\"wr-starts-time\" datetime=\"2026-11-30T20:00:00.000Z\">2026-11-30 20:00 UTC</time>")]
    [InlineData(WaitingPage.Korean, "시작 시각: <time id=\"wr-starts-time\" datetime=\"2026-11-30T20:00:00.000Z\">2026년 11월 30일 20:00 (UTC)</time>")]
    public void Render_InThePrequeue_StatesTheStartInUtc_ForTheScriptToShowInTheVisitorsTimeZone(string language, string expected)
    {
        var startsAt = new DateTimeOffset(2026, 12, 1, 5, 0, 0, TimeSpan.FromHours(9));

        var html = Render(language, startsAt, startsAt - TimeSpan.FromMinutes(5));

        Assert.Equal(expected, Element(html, "wr-starts"));
    }

    [Fact]
    public void Render_InThePrequeue_GivesTheScriptTheStartAndTheTimeLeftByTheServersClock()
    {
        var now = new DateTimeOffset(2026, 11, 30, 19, 55, 0, TimeSpan.Zero);

        var html = Render(WaitingPage.English, now + TimeSpan.FromMinutes(5), now);

        Assert.Equal((now + TimeSpan.FromMinutes(5)).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), Data(html, "startsAtMs"));
        Assert.Equal("300000", Data(html, "untilStartMs"));
        Assert.Equal("K7Q2M9X4T1AB", Data(html, "receipt"));
    }

    [Theory]
    [InlineData(WaitingPage.English, "prequeue", true)]
    [InlineData(WaitingPage.Korean, "prequeue", true)]
    [InlineData(WaitingPage.English, "prequeue", false)]
    [InlineData(WaitingPage.Korean, "waiting", true)]
    [InlineData(WaitingPage.English, "waiting", false)]
    public void Render_OfASale_FillsEveryPlaceholderOfThePage(string language, string state, bool lottery)
    {
        var now = new DateTimeOffset(2026, 11, 30, 19, 55, 0, TimeSpan.Zero);
        var model = new WaitingPageModel("r", "t", "/", state == "waiting" ? 12 : null, 90, true, language, state, null, EventName, "K7Q2M9X4T1AB", now + TimeSpan.FromMinutes(5), now, lottery);

        var markup = DataBlock().Replace(WaitingPage.Render(model, Timings), string.Empty);

        Assert.Equal(state, BodyState().Match(markup).Groups["state"].Value);
        Assert.False(Placeholder().IsMatch(markup), "unfilled: " + Placeholder().Match(markup).Value);
    }

    [Fact]
    public void Render_WithAReceiptThatIsNotOne_ShowsNone()
    {
        var now = new DateTimeOffset(2026, 11, 30, 19, 55, 0, TimeSpan.Zero);
        var model = new WaitingPageModel("r", "t", "/", null, null, true, WaitingPage.English, "prequeue", null, "Show", "<b>hi</b>", now + TimeSpan.FromMinutes(5), now);

        var html = WaitingPage.Render(model, Timings);

        Assert.Contains(" hidden", OpeningTag(html, "wr-receipt"), StringComparison.Ordinal);
        Assert.Equal(string.Empty, Element(html, "wr-receipt-code"));
        Assert.DoesNotContain("hi</b>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitJs_AcceptsReceiptsAsTheCoreWritesThem_AndNothingElse()
    {
        await using var hub = new HubApp(redis.ConnectionString, RoomName(), "hub-a");
        using var client = hub.CreateClient();

        var script = await client.GetStringAsync("/_wr/wait-assets/wait.js", Cancellation);
        var pattern = new Regex(ReceiptPattern().Match(script).Groups["pattern"].Value, RegexOptions.None, TimeSpan.FromSeconds(1));
        var key = Receipts.ParseKey(Receipts.NewKey());

        Assert.All(Enumerable.Range(1, 200), arrival => Assert.Matches(pattern, Receipts.Of(key, arrival)));
        Assert.All(new[] { "K7Q2M9X4T1A", "K7Q2M9X4T1ABC", "K7Q2M9X4T1AI", "K7Q2M9X4T1AL", "K7Q2M9X4T1AO", "K7Q2M9X4T1AU", "k7q2m9x4t1ab", "K7Q2-M9X4-T1" },
            wrong => Assert.DoesNotMatch(pattern, wrong));
    }

    private static string Render(string language, DateTimeOffset startsAt, DateTimeOffset now) =>
        WaitingPage.Render(
            new WaitingPageModel("r", "t", "/", null, null, true, language, "prequeue", null, EventName, "K7Q2M9X4T1AB", startsAt, now),
            Timings);

    private static string RoomName() => "r" + Guid.NewGuid().ToString("N")[..10];

    private async Task ScheduleAsync(HubApp hub, DateTimeOffset opensAt, DateTimeOffset startsAt, DrawOrder order = DrawOrder.Lottery)
    {
        var (outcome, _) = await hub.Queue(_redis).Schedule.ScheduleAsync(new ScheduledEvent(EventName, opensAt, startsAt, order));
        Assert.Equal(ScheduleOutcome.Scheduled, outcome);
    }

    private static string PageUrl(HubApp hub, string visitor, string ticket, string language) =>
        $"/_wr/wait/{hub.Room}?t={Uri.EscapeDataString(HubApp.TicketFor(hub.Room, visitor, ticket))}&lang={language}";

    private async Task<string> WaitingPageAsync(HubApp hub, string language)
    {
        var join = await hub.Queue(_redis).JoinAsync("v1", queueOff: false);
        using var client = hub.CreateClient();
        return await client.GetStringAsync(PageUrl(hub, "v1", join.Ticket, language), Cancellation);
    }

    /// <summary>One value of the page's data for wait.js, as text.</summary>
    private static string Data(string html, string name)
    {
        using var document = System.Text.Json.JsonDocument.Parse(DataBlock().Match(html).Groups["json"].Value);
        var value = document.RootElement.GetProperty(name);
        return value.ValueKind == System.Text.Json.JsonValueKind.String ? value.GetString()! : value.GetRawText();
    }

    [GeneratedRegex("""<body data-state="(?<state>[a-z]+)">""")]
    private static partial Regex BodyState();

    [GeneratedRegex("<title>(?<title>[^<]*)</title>")]
    private static partial Regex Title();

    [GeneratedRegex("""<time id="wr-starts-time" datetime="(?<iso>[^"]+)">""")]
    private static partial Regex StartTime();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();

    [GeneratedRegex("""<script type="application/json" id="wr-data">(?<json>[^<]*)</script>""")]
    private static partial Regex DataBlock();

    [GeneratedRegex(@"\{(?<name>[A-Za-z0-9_]+)\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"const receiptPattern = /(?<pattern>[^/\n]+)/;")]
    private static partial Regex ReceiptPattern();
}
