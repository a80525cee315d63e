using System.Net;
using YarpWaitingRoom.Testing;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Admission;

/// <summary>The admission scheduler: waiting visitors are admitted on its tick and at once when a session ends.</summary>
public sealed class AdmissionSchedulerTests(RedisFixture redis) : ProxyTestBase(redis)
{
    [Fact]
    public async Task QueuedVisitor_IsAdmittedByTheScheduler_PollsActive_AndTheEntryCodeLetsOnlyItsBrowserIn_AgainIfItsAnswerWasLost()
    {
        await using var app = App(mode: "On", settings: new() { ["AdmitInterval"] = "00:00:01" });
        using var browser = app.CreateBrowser();
        using var queued = await browser.SendAsync(HttpMethod.Get, "/api/echo");
        var ticket = (await queued.JsonAsync()).GetProperty("ticket").GetString()!;

        string? enterUrl = null;
        Assert.True(await EventuallyAsync(async () =>
        {
            using var status = await browser.GetAsync($"/_wr/rooms/{app.Room}/tickets/{Uri.EscapeDataString(ticket)}", Cancellation);
            var body = await status.JsonAsync();
            enterUrl = body.TryGetProperty("enterUrl", out var url) && url.ValueKind == System.Text.Json.JsonValueKind.String ? url.GetString() : null;
            return body.GetProperty("state").GetString() == "active";
        }, TimeSpan.FromSeconds(5)), "the scheduler did not admit the visitor");
        Assert.NotNull(enterUrl);

        using var enter = await browser.GetAsync(enterUrl, Cancellation);
        AssertStatus(HttpStatusCode.Found, enter);
        Assert.Equal("/api/echo", enter.Headers.Location!.OriginalString);
        using var proxied = await browser.SendAsync(HttpMethod.Get, "/api/echo");
        AssertStatus(HttpStatusCode.OK, proxied);

        // The same browser again (its first answer lost): let in again to the same admission, cookie and all.
        using var reused = await browser.GetAsync(enterUrl, Cancellation);
        AssertStatus(HttpStatusCode.Found, reused);
        Assert.Contains(reused.SetCookies().Keys, name => name == $"wr_{app.Room}");
        Assert.Equal(1, await app.Redis().SortedSetLengthAsync(app.Keys().Active));

        var admitted = (string)(await app.Redis().SortedSetRangeByRankAsync(app.Keys().Active)).Single()!;

        // Another browser with the link: not its admission.
        using var other = app.CreateBrowser();
        await other.SendAsync(HttpMethod.Get, "/api/echo"); // a wr_vid of its own
        using var stolen = await other.GetAsync(enterUrl, Cancellation);
        AssertStatus(HttpStatusCode.Forbidden, stolen);

        // Once the session has ended, the code lets nobody in.
        using var confirm = await browser.SendAsync(HttpMethod.Post, "/api/confirm");
        AssertStatus(HttpStatusCode.Created, confirm);
        // (The other browser waits, and is admitted into the slot this frees: only this admission's end is awaited.)
        Assert.True(await EventuallyAsync(async () => await app.Redis().SortedSetScoreAsync(app.Keys().Active, admitted) is null, TimeSpan.FromSeconds(5)));
        using var afterEnd = await browser.GetAsync(enterUrl, Cancellation);
        AssertStatus(HttpStatusCode.Gone, afterEnd);
    }

    [Fact]
    public async Task EndedSession_AdmitsTheNextWaitingVisitorAtOnce_NotAtTheNextTick()
    {
        await using var app = App(settings: new() { ["MaxActive"] = "1", ["AdmitInterval"] = "00:30:00" });
        using var first = app.CreateBrowser();
        using var second = app.CreateBrowser();
        using var firstIn = await first.SendAsync(HttpMethod.Get, "/api/echo");
        AssertStatus(HttpStatusCode.OK, firstIn);
        using var secondQueued = await second.SendAsync(HttpMethod.Get, "/api/echo");
        AssertStatus(HttpStatusCode.ServiceUnavailable, secondQueued);
        var ticket = (await secondQueued.JsonAsync()).GetProperty("ticket").GetString()!;

        using var confirm = await first.SendAsync(HttpMethod.Post, "/api/confirm");
        AssertStatus(HttpStatusCode.Created, confirm);

        Assert.True(await EventuallyAsync(async () =>
        {
            using var status = await second.GetAsync($"/_wr/rooms/{app.Room}/tickets/{Uri.EscapeDataString(ticket)}", Cancellation);
            return (await status.JsonAsync()).GetProperty("state").GetString() == "active";
        }, TimeSpan.FromSeconds(5)), "freed capacity was not used at once (the next tick is 30 minutes away)");
    }
}
