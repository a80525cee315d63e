using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using YarpWaitingRoom.Challenges;
using YarpWaitingRoom.Hosting;
using YarpWaitingRoom.Hub.Page;
using YarpWaitingRoom.Testing;
using YarpWaitingRoom.Tokens;

using static YarpWaitingRoom.SocketHub.Tests.PageHtml;

namespace YarpWaitingRoom.SocketHub.Tests;

/// <summary>
/// The challenge page (<c>/_wr/wait/&lt;room&gt;/challenge</c>), where a room that asks a proof of work sends a browser
/// without a place: a fresh challenge bound to the browser's <c>wr_vid</c> and the room at the room's difficulty, the
/// words in the visitor's language, the pages' security headers; without a <c>wr_vid</c>, a 400 that says cookies are
/// needed; while the room asks none, back to where the visitor was going. Only local return URLs are followed.
/// </summary>
public sealed partial class WaitingPageChallengeTests(RedisFixture redis) : HubTestBase(redis)
{
    private const int Difficulty = 8;

    private static readonly Dictionary<string, string?> ChallengeOn = new()
    {
        ["Challenge"] = "ProofOfWork",
        ["ChallengeDifficulty"] = "8",
    };

    private static readonly WebApplicationFactoryClientOptions NoRedirects = new() { AllowAutoRedirect = false };

    /// <summary>The hub's signing key, as the proxies hold it: what verifies the page's challenge at the gate.</summary>
    private static readonly ChallengeService Gate = new([new SigningKey("test", System.Text.Encoding.UTF8.GetBytes(HubApp.SigningSecret))]);

    private static async Task<(HttpResponseMessage Response, string Html)> GetAsync(HttpClient client, string url, string? visitor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (visitor is not null)
        {
            request.Headers.Add("Cookie", HubApp.CookieFor(visitor));
        }

        var response = await client.SendAsync(request, Cancellation);
        return (response, await response.Content.ReadAsStringAsync(Cancellation));
    }

    private static string Data(string html, string name)
    {
        var match = Regex.Match(OpeningTag(html, "wr-challenge"), $"""\sdata-{Regex.Escape(name)}="(?<value>[^"]*)" """.TrimEnd(), RegexOptions.None, TimeSpan.FromSeconds(1));
        Assert.True(match.Success, $"no data-{name} on #wr-challenge");
        return WebUtility.HtmlDecode(match.Groups["value"].Value);
    }

    [Theory]
    [InlineData(WaitingPage.English)]
    [InlineData(WaitingPage.Korean)]
    public async Task ChallengePage_ForAVisitorWithWrVid_CarriesAChallengeThatVerifiesForThatVisitorAndRoom_AtTheRoomsDifficulty(string language)
    {
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "hub-a", ChallengeOn);
        using var client = hub.CreateClient(NoRedirects);
        var text = PageTexts.For(language);

        var (response, html) = await GetAsync(client, $"/_wr/wait/{hub.Room}/challenge?return=%2Fconcerts%2F7&lang={language}", "fan");

        using (response)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        }

        var prefix = Data(html, "prefix");
        Assert.Equal(Difficulty, int.Parse(Data(html, "difficulty"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("/concerts/7", Data(html, "return"));
        Assert.Equal(ProofCookie.Name, Data(html, "cookie"));
        Assert.Equal(ChallengePage.WorkerPath, Data(html, "worker"));
        var expiresAt = DateTimeOffset.Parse(Data(html, "expires-at"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expiresAt - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1), Gate.Lifetime);
        var proof = ChallengeService.FormatProof(prefix, ProofSolver.Solve(prefix, Difficulty, cancellationToken: Cancellation).Nonce);
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(ProofOutcome.Valid, Gate.Verify(hub.Room, "fan", proof, now, Difficulty, out var verified));
        Assert.Equal(Difficulty, verified.Difficulty);
        Assert.Equal(ProofOutcome.WrongVisitor, Gate.Verify(hub.Room, "someone-else", proof, now, Difficulty, out _));
        Assert.Equal(ProofOutcome.WrongRoom, Gate.Verify(hub.Room + "x", "fan", proof, now, Difficulty, out _));

        Assert.Contains($"<html lang=\"{language}\">", html, StringComparison.Ordinal);
        Assert.Contains($"""<body data-state="{ChallengePage.ChallengeState}">""", html, StringComparison.Ordinal);
        Assert.Contains(text["challengeLead"], WebUtility.HtmlDecode(html), StringComparison.Ordinal);
        Assert.Contains($"<title>{text["titleChallenge"]} – ", html, StringComparison.Ordinal);
        Assert.Contains(text["challengeNoScript"], WebUtility.HtmlDecode(Element(html, "wr-challenge")), StringComparison.Ordinal);
        Assert.Contains("<noscript>", html, StringComparison.Ordinal);
        // The progress is a real <progress>, labelled; the polite live region is separate from it.
        Assert.Contains("""<progress id="wr-challenge-progress" max="100" value="0"></progress>""", html, StringComparison.Ordinal);
        Assert.Contains($"""<label for="wr-challenge-progress">{text["challengeProgressLabel"]}</label>""", html, StringComparison.Ordinal);
        Assert.Contains("aria-live=\"polite\"", OpeningTag(html, "wr-challenge-status"), StringComparison.Ordinal);
        Assert.Equal(text["challengeWorking"], Data(html, "text-working"));
        Assert.Equal(text["challengeDone"], Data(html, "text-done"));
        // No inline script: only the page's own asset.
        Assert.Contains("""<script src="/_wr/wait-assets/challenge.js" defer></script>""", html, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(html, "<script", RegexOptions.None, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task ChallengePage_EachView_IsANewChallenge_AtTheDifficultyTheRoomAsksNow()
    {
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "hub-a", new Dictionary<string, string?>
        {
            ["Challenge"] = "ProofOfWork",
            ["ChallengeDifficulty"] = "13",
        });
        using var client = hub.CreateClient(NoRedirects);
        var url = $"/_wr/wait/{hub.Room}/challenge?return=%2F";

        var (first, firstHtml) = await GetAsync(client, url, "fan");
        var (second, secondHtml) = await GetAsync(client, url, "fan");
        first.Dispose();
        second.Dispose();

        Assert.NotEqual(Data(firstHtml, "prefix"), Data(secondHtml, "prefix"));
        Assert.Equal("13", Data(firstHtml, "difficulty"));
    }

    [Theory]
    [InlineData(WaitingPage.English)]
    [InlineData(WaitingPage.Korean)]
    public async Task ChallengePage_WithoutAValidWrVid_Is400_SayingCookiesAreNeeded(string language)
    {
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "hub-a", ChallengeOn);
        using var client = hub.CreateClient(NoRedirects);
        var text = PageTexts.For(language);
        var url = $"/_wr/wait/{hub.Room}/challenge?return=%2Fconcerts%2F7&lang={language}";

        var (missing, page) = await GetAsync(client, url, visitor: null);
        var html = WebUtility.HtmlDecode(page);
        using var forgedRequest = new HttpRequestMessage(HttpMethod.Get, url);
        forgedRequest.Headers.Add("Cookie", $"{VisitorCookie.Name}=forged");
        using var forged = await client.SendAsync(forgedRequest, Cancellation);

        using (missing)
        {
            Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        }

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Contains($"<html lang=\"{language}\">", html, StringComparison.Ordinal);
        Assert.Contains($"""<body data-state="{ChallengePage.CookiesState}">""", html, StringComparison.Ordinal);
        Assert.Contains(text["cookiesTitle"], html, StringComparison.Ordinal);
        Assert.Contains(text["cookiesBody"], html, StringComparison.Ordinal);
        Assert.Equal(text["tryAgain"], Element(html, "wr-try-again"));
        Assert.Contains("href=\"/concerts/7\"", OpeningTag(html, "wr-try-again"), StringComparison.Ordinal);
        Assert.DoesNotContain("wr-challenge", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChallengePage_WhileTheRoomAsksNoChallenge_SendsTheVisitorBackToJoin()
    {
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "hub-a");
        using var client = hub.CreateClient(NoRedirects);

        var (response, _) = await GetAsync(client, $"/_wr/wait/{hub.Room}/challenge?return=%2Fconcerts%2F7", "fan");

        using (response)
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/concerts/7", response.Headers.Location?.OriginalString);
        }
    }

    [Theory]
    [InlineData("%2F%2Fevil.example")]
    [InlineData("https%3A%2F%2Fevil.example%2F")]
    [InlineData("%2F%5Cevil.example")]
    public async Task ChallengePage_ANonLocalReturn_IsReplacedByTheSiteRoot(string escapedReturn)
    {
        await using var on = new HubApp(Fixture.ConnectionString, RoomName(), "hub-a", ChallengeOn);
        await using var off = new HubApp(Fixture.ConnectionString, RoomName(), "hub-b");
        using var onClient = on.CreateClient(NoRedirects);
        using var offClient = off.CreateClient(NoRedirects);

        var (page, html) = await GetAsync(onClient, $"/_wr/wait/{on.Room}/challenge?return={escapedReturn}", "fan");
        var (back, _) = await GetAsync(offClient, $"/_wr/wait/{off.Room}/challenge?return={escapedReturn}", "fan");

        page.Dispose();
        using (back)
        {
            Assert.Equal("/", Data(html, "return"));
            Assert.DoesNotContain("evil.example", html, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
            Assert.Equal("/", back.Headers.Location?.OriginalString);
        }
    }

    [Fact]
    public async Task ChallengePage_AndItsScripts_CarryTheSecurityHeaders_AndTheScriptsAreCachedSameOriginAssets()
    {
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "hub-a", ChallengeOn);
        using var client = hub.CreateClient(NoRedirects);

        var (page, _) = await GetAsync(client, $"/_wr/wait/{hub.Room}/challenge?return=%2F", "fan");
        var (cookies, _) = await GetAsync(client, $"/_wr/wait/{hub.Room}/challenge?return=%2F", visitor: null);
        using var script = await client.GetAsync("/_wr/wait-assets/challenge.js", Cancellation);
        using var worker = await client.GetAsync(ChallengePage.WorkerPath, Cancellation);

        using (page)
        using (cookies)
        {
            foreach (var response in new[] { page, cookies, script, worker })
            {
                foreach (var (name, value) in SecurityHeaders.All)
                {
                    Assert.True(response.Headers.TryGetValues(name, out var values), $"{response.RequestMessage?.RequestUri}: no {name}");
                    Assert.Equal(value, Assert.Single(values));
                }
            }
        }

        // The worker runs under the page's CSP: script-src 'self' (worker-src falls back to it), no inline script.
        Assert.Contains("script-src 'self'", SecurityHeaders.ContentSecurityPolicy, StringComparison.Ordinal);
        foreach (var asset in new[] { script, worker })
        {
            Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
            Assert.Equal("text/javascript", asset.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(asset.Headers.ETag);
            Assert.Equal(TimeSpan.FromMinutes(5), asset.Headers.CacheControl?.MaxAge);
        }
    }

    [Fact]
    public async Task ChallengeScripts_HaveNoWordsOfTheirOwn_AndReadOnlyTextsThePageCarries()
    {
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "hub-a", ChallengeOn);
        using var client = hub.CreateClient(NoRedirects);

        var script = await client.GetStringAsync("/_wr/wait-assets/challenge.js", Cancellation);
        var worker = await client.GetStringAsync(ChallengePage.WorkerPath, Cancellation);
        var (page, html) = await GetAsync(client, $"/_wr/wait/{hub.Room}/challenge?return=%2F", "fan");
        page.Dispose();
        var reads = DataRead().Matches(script).Select(m => m.Groups["name"].Value).Distinct().ToList();

        Assert.False(Hangul().IsMatch(script + worker), "Hangul in the challenge's scripts");
        Assert.NotEmpty(reads);
        Assert.Contains("prefix", reads);
        Assert.Contains("textDone", reads);
        // data.textWorking reads data-text-working: every attribute the script reads is on the page.
        Assert.All(reads, name => Data(html, Regex.Replace(name, "[A-Z]", m => "-" + char.ToLowerInvariant(m.Value[0]), RegexOptions.None, TimeSpan.FromSeconds(1))));
    }

    [GeneratedRegex(@"\bdata\.(?<name>[a-z][A-Za-z]*)\b")]
    private static partial Regex DataRead();

    [GeneratedRegex(@"[\u1100-\u11FF\u3130-\u318F\uAC00-\uD7AF]")]
    private static partial Regex Hangul();
}
