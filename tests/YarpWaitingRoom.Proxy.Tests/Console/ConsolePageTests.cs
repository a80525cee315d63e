using System.Text.Json;
using System.Text.RegularExpressions;
using YarpWaitingRoom.Hosting;
using YarpWaitingRoom.Yarp.Console;

namespace YarpWaitingRoom.Proxy.Tests.Console;

/// <summary>
/// The operator console's pages (<see cref="ConsolePage"/>): both languages, every value encoded, the data block
/// <c>console.js</c> starts from, and no inline script or style beyond that data.
/// </summary>
public sealed partial class ConsolePageTests
{
    private const string Hostile = "</script><script>alert(1)</script><!--\"'&";

    public static TheoryData<string> Languages => [PageLanguages.English, PageLanguages.Korean];

    private static readonly DateTimeOffset ExpiresAt = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static ConsolePageModel Model(string language, string room = "concert", string @operator = "alice") =>
        new(language, @operator, "csrf-token", ExpiresAt, room, [room, "spike"], 800, 1200, 1500);

    [Theory]
    [MemberData(nameof(Languages))]
    public void Console_InEachLanguage_IsThatLanguagesPage_WithItsHeadingsAndAssets(string language)
    {
        var text = ConsoleTexts.For(language);

        var html = ConsolePage.Console(Model(language));

        Assert.Contains($"<html lang=\"{language}\">", html, StringComparison.Ordinal);
        Assert.Contains("<meta name=\"viewport\"", html, StringComparison.Ordinal);
        Assert.Contains($"<title>{PageEncoding.Html(TextTable.Fill(text["consoleTitle"], ("room", "concert")))} – {PageEncoding.Html(text["brand"])}</title>", html, StringComparison.Ordinal);
        Assert.Contains("<link rel=\"stylesheet\" href=\"/_wr/admin/assets/console.css\">", html, StringComparison.Ordinal);
        Assert.Contains("<script src=\"/_wr/admin/assets/console.js\" defer></script>", html, StringComparison.Ordinal);
        Assert.Contains("<main id=\"wr-main\"", html, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(html, "<h1[ >]"));
        Assert.Contains(PageEncoding.Html(text["controlsHeading"]), html, StringComparison.Ordinal);
        Assert.Contains("href=\"/_wr/admin/?room=concert&amp;lang=ko\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/_wr/admin/?room=concert&amp;lang=en\"", html, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void SignIn_InEachLanguage_IsAFormThatWorksWithoutScript(string language)
    {
        var text = ConsoleTexts.For(language);

        var html = ConsolePage.SignIn(new SignInPageModel(language, null, "concert"));

        Assert.Contains($"<html lang=\"{language}\">", html, StringComparison.Ordinal);
        Assert.Contains("<form class=\"wr-form\" method=\"post\" action=\"/_wr/admin/sign-in\">", html, StringComparison.Ordinal);
        Assert.Contains("<input id=\"wr-key\" name=\"key\" type=\"password\" autocomplete=\"current-password\" required", html, StringComparison.Ordinal);
        Assert.Contains($"<label for=\"wr-key\">{PageEncoding.Html(text["keyLabel"])}</label>", html, StringComparison.Ordinal);
        Assert.Contains($"<input type=\"hidden\" name=\"lang\" value=\"{language}\">", html, StringComparison.Ordinal);
        Assert.Contains("<input type=\"hidden\" name=\"room\" value=\"concert\">", html, StringComparison.Ordinal);
        Assert.Contains("<link rel=\"stylesheet\" href=\"/_wr/admin/assets/console.css\">", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(html, "<h1[ >]"));
    }

    [Theory]
    [InlineData(SignInErrors.WrongKey, "errorWrongKey", "alert")]
    [InlineData(SignInErrors.TooMany, "errorTooMany", "alert")]
    [InlineData(SignInErrors.SignedOut, "errorSignedOut", "status")]
    [InlineData(SignInErrors.Expired, "errorExpired", "status")]
    public void SignIn_ShownAgain_SaysWhyInThePagesLanguage(string error, string key, string role)
    {
        foreach (var language in new[] { PageLanguages.English, PageLanguages.Korean })
        {
            var html = ConsolePage.SignIn(new SignInPageModel(language, error, null));

            Assert.Contains($"role=\"{role}\">{PageEncoding.Html(ConsoleTexts.For(language)[key])}</p>", html, StringComparison.Ordinal);
            Assert.Contains("aria-describedby=\"wr-sign-in-message\"", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void SignIn_WithoutAnError_HasNoMessage()
    {
        var html = ConsolePage.SignIn(new SignInPageModel(PageLanguages.English, null, null));

        Assert.DoesNotContain("wr-sign-in-message", html, StringComparison.Ordinal);
        Assert.DoesNotContain("name=\"room\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void SignIn_WithAHostileRoom_KeepsItInert()
    {
        var html = ConsolePage.SignIn(new SignInPageModel(PageLanguages.English, SignInErrors.WrongKey, Hostile));

        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<!--", html, StringComparison.Ordinal);
        Assert.Contains("value=\"&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;!--&quot;&#x27;&amp;\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Console_WithAHostileOperatorAndRoom_KeepsThemInert_AndItsDataBlockWhole()
    {
        var model = Model(PageLanguages.English, room: Hostile, @operator: Hostile) with { CsrfToken = Hostile, Rooms = [Hostile, "b"] };

        var html = ConsolePage.Console(model);

        // Two script elements: the data block and console.js; nothing else opens or closes one.
        Assert.Equal(2, Regex.Count(html, "<script"));
        Assert.Equal(2, Regex.Count(html, "</script>"));
        Assert.DoesNotContain("<!--", html, StringComparison.Ordinal);
        Assert.DoesNotContain("alert(1)</", html, StringComparison.Ordinal);
        var data = Data(html);
        Assert.Equal(Hostile, data.GetProperty("operator").GetString());
        Assert.Equal(Hostile, data.GetProperty("room").GetString());
        Assert.Equal(Hostile, data.GetProperty("csrfToken").GetString());
        Assert.Equal(Hostile, data.GetProperty("rooms")[0].GetString());
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void ConsoleData_HasTheSpecsFields_AndTheWholeTextTableOfThePagesLanguage(string language)
    {
        var data = Data(ConsolePage.Console(Model(language)));

        Assert.Equal("alice", data.GetProperty("operator").GetString());
        Assert.Equal("csrf-token", data.GetProperty("csrfToken").GetString());
        Assert.Equal(ExpiresAt, DateTimeOffset.Parse(data.GetProperty("expiresAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(language, data.GetProperty("language").GetString());
        Assert.Equal("concert", data.GetProperty("room").GetString());
        Assert.Equal(["concert", "spike"], data.GetProperty("rooms").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("/_wr/admin", data.GetProperty("apiBase").GetString());
        Assert.Equal(800, data.GetProperty("thresholds").GetProperty("off").GetInt32());
        Assert.Equal(1200, data.GetProperty("thresholds").GetProperty("on").GetInt32());
        Assert.Equal(1500, data.GetProperty("thresholds").GetProperty("spike").GetInt32());
        var texts = data.GetProperty("texts").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        Assert.Equal(ConsoleTexts.For(language).All.OrderBy(p => p.Key, StringComparer.Ordinal), texts.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void Console_SignOut_IsAFormPostWithTheCsrfToken()
    {
        var html = ConsolePage.Console(Model(PageLanguages.English) with { CsrfToken = "t&k" });

        Assert.Matches("""<form method="post" action="/_wr/admin/sign-out"[^>]*>\s*<input type="hidden" name="csrf" value="t&amp;k">""", html);
    }

    [Fact]
    public void Console_RoomPicker_LinksEveryRoom_AndMarksTheShownOne()
    {
        var html = ConsolePage.Console(Model(PageLanguages.Korean) with { Rooms = ["concert", "a b"] });

        Assert.Contains("<a href=\"?room=concert&amp;lang=ko\" aria-current=\"page\">concert</a>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"?room=a%20b&amp;lang=ko\">a b</a>", html, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void Pages_HaveNoInlineStyleOrHandler_AndNoScriptButTheDataAndConsoleJs(string language)
    {
        foreach (var html in new[] { ConsolePage.Console(Model(language)), ConsolePage.SignIn(new SignInPageModel(language, SignInErrors.WrongKey, "r")) })
        {
            Assert.DoesNotMatch(@"\sstyle=", html);
            Assert.DoesNotMatch(@"<style", html);
            Assert.DoesNotMatch(@"\son[a-z]+=", html);
            foreach (Match script in Regex.Matches(html, "<script[^>]*>"))
            {
                Assert.True(
                    script.Value == $"<script type=\"application/json\" id=\"{ConsolePage.DataElementId}\">" || script.Value == "<script src=\"/_wr/admin/assets/console.js\" defer>",
                    "unexpected " + script.Value);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void Pages_FillEveryPlaceholderOfTheirMarkup(string language)
    {
        foreach (var html in new[] { ConsolePage.Console(Model(language)), ConsolePage.SignIn(new SignInPageModel(language, SignInErrors.TooMany, "r")) })
        {
            var markup = DataBlock().Replace(html, string.Empty); // the data's texts are templates for console.js to fill

            Assert.False(Placeholder().IsMatch(markup), "unfilled: " + Placeholder().Match(markup).Value);
        }
    }

    [Fact]
    public void ConsoleControls_EveryControlHasALabelOrLegend_AndEveryConsoleJsIdExists()
    {
        var html = ConsolePage.Console(Model(PageLanguages.English));
        var script = ConsoleScript.Source();

        foreach (Match input in Regex.Matches(html, """<input id="(?<id>[^"]+)"[^>]*type="(?!hidden)"""))
        {
            Assert.Contains($"<label for=\"{input.Groups["id"].Value}\">", html, StringComparison.Ordinal);
        }

        foreach (Match described in Regex.Matches(html, """aria-describedby="(?<ids>[^"]+)"""))
        {
            Assert.All(described.Groups["ids"].Value.Split(' '), id => Assert.Contains($"id=\"{id}\"", html, StringComparison.Ordinal));
        }

        var ids = ConsoleScript.IdsRead(script);
        Assert.NotEmpty(ids);
        Assert.All(ids, id => Assert.Contains($"id=\"{id}\"", html, StringComparison.Ordinal));
        var controls = Regex.Matches(html, """data-control="(?<name>[^"]+)""").Select(m => m.Groups["name"].Value).ToList();
        Assert.Equal(["mode", "max-active", "network-cap", "challenge", "inventory", "event"], controls);
        foreach (var control in controls)
        {
            var name = Regex.Escape(control);
            Assert.Matches($@"(?:'{name}'|\b{name}):\s*\(form", script);
        }
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void Console_NetworkCapForm_PostsNothingByItself_AndTakesItsBoundsFromTheConstant(string language)
    {
        var text = ConsoleTexts.For(language);

        var html = ConsolePage.Console(Model(language));

        // No method, no action: without console.js the form sends nothing anywhere; with it, the script confirms, then calls.
        var form = NetworkCapForm().Match(html);
        Assert.True(form.Success, "no network-cap form");
        Assert.Equal(""" id="wr-network-cap-form" class="wr-control" data-control="network-cap" novalidate""", form.Groups["attributes"].Value);
        var body = form.Groups["body"].Value;
        var limit = ConsolePage.MaxPlacesPerNetworkLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(1_000_000, ConsolePage.MaxPlacesPerNetworkLimit);
        Assert.Contains($"""<input id="wr-network-cap-input" name="maxPlacesPerNetwork" type="number" min="0" max="{limit}" step="1" inputmode="numeric" aria-describedby="wr-network-cap-hint wr-network-cap-error">""", body, StringComparison.Ordinal);
        Assert.Contains($"""<label for="wr-network-cap-input">{PageEncoding.Html(text["networkCapControl"])}</label>""", body, StringComparison.Ordinal);
        var hint = TextTable.Fill(text["networkCapHint"], ("max", ConsolePage.MaxPlacesPerNetworkLimit.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Contains($"""<p id="wr-network-cap-hint" class="wr-hint">{PageEncoding.Html(hint)}</p>""", body, StringComparison.Ordinal);
        Assert.Contains("""<p id="wr-network-cap-error" class="wr-form-error" hidden></p>""", body, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(body, "<button "));
        Assert.Contains($"""<button type="submit" class="wr-button wr-button-primary">{PageEncoding.Html(text["networkCapApply"])}</button>""", body, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\s(?:method|action|formaction|formmethod)=", form.Value);
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void Console_BotsCard_HasItsFactsAndTwoCaptionedTables_BeforeTheRoutes(string language)
    {
        var text = ConsoleTexts.For(language);

        var html = ConsolePage.Console(Model(language));

        var card = BotsCard().Match(html);
        Assert.True(card.Success, "no bot defences card");
        var body = card.Groups["body"].Value;
        Assert.Contains($"""<h2 id="wr-bots-heading">{PageEncoding.Html(text["botsHeading"])}</h2>""", body, StringComparison.Ordinal);
        Assert.Contains($"""<dt>{PageEncoding.Html(text["networkCapLabel"])}</dt><dd id="wr-network-cap">""", body, StringComparison.Ordinal);
        Assert.Contains($"""<dt>{PageEncoding.Html(text["networksAtCapLabel"])}</dt><dd id="wr-networks-at-cap">""", body, StringComparison.Ordinal);
        Assert.Equal(
            [PageEncoding.Html(text["busiestNetworksCaption"]), PageEncoding.Html(text["entryCaption"])],
            Regex.Matches(body, "<caption>(?<text>[^<]+)</caption>").Select(m => m.Groups["text"].Value));
        Assert.Contains($"""<th scope="col">{PageEncoding.Html(text["networkColumn"])}</th><th scope="col" class="wr-number">{PageEncoding.Html(text["networkPlacesColumn"])}</th>""", body, StringComparison.Ordinal);
        Assert.Equal(5, Regex.Count(body, """<tr><th scope="row">[^<]+</th><td id="wr-entry-[a-z-]+" class="wr-number">"""));
        Assert.True(html.IndexOf("wr-sale-heading", StringComparison.Ordinal) < card.Index && card.Index < html.IndexOf("wr-routes-heading", StringComparison.Ordinal));
    }

    private static JsonElement Data(string html)
    {
        var match = DataBlock().Match(html);
        Assert.True(match.Success, "no data block");
        using var document = JsonDocument.Parse(match.Groups["json"].Value);
        return document.RootElement.Clone();
    }

    [GeneratedRegex("""<script type="application/json" id="wr-console-data">(?<json>[^<]*)</script>""")]
    private static partial Regex DataBlock();

    [GeneratedRegex(@"\{(?<name>[A-Za-z0-9_]+)\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex("""<form(?<attributes> id="wr-network-cap-form"[^>]*)>(?<body>.*?)</form>""", RegexOptions.Singleline)]
    private static partial Regex NetworkCapForm();

    [GeneratedRegex("""<section class="wr-card" aria-labelledby="wr-bots-heading">(?<body>.*?)</section>""", RegexOptions.Singleline)]
    private static partial Regex BotsCard();
}
