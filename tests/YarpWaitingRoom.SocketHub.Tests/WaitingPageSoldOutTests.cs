using System.Net;
using YarpWaitingRoom.Hub.Page;
using YarpWaitingRoom.Testing;

using static YarpWaitingRoom.SocketHub.Tests.PageHtml;

namespace YarpWaitingRoom.SocketHub.Tests;

/// <summary>
/// The pages of a sold-out room: a waiting visitor sees it said plainly, with the choice to keep the place or leave it
/// (a form that works without JavaScript); a room that closes once sold out shows those it turned away the sold-out page
/// (410) and, once seats come back, sends them on to join; a place given up is told as such.
/// </summary>
public sealed class WaitingPageSoldOutTests(RedisFixture redis) : HubTestBase(redis)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);

    private static string PageUrl(HubApp hub, string visitor, string ticket, string language) =>
        $"/_wr/wait/{hub.Room}?t={Uri.EscapeDataString(HubApp.TicketFor(hub.Room, visitor, ticket))}&lang={language}";

    /// <summary>The page once the hub has read the room's new inventory (its snapshot follows the stock notice).</summary>
    private static async Task<string> PageOnceAsync(HttpClient client, string url, Func<string, bool> condition)
    {
        var html = string.Empty;
        var deadline = DateTime.UtcNow + Within;
        while (DateTime.UtcNow < deadline)
        {
            using var response = await client.GetAsync(url, Cancellation);
            html = await response.Content.ReadAsStringAsync(Cancellation);
            if (condition(html))
            {
                break;
            }

            await Task.Delay(50, Cancellation);
        }

        return html;
    }

    [Theory]
    [InlineData(WaitingPage.English)]
    [InlineData(WaitingPage.Korean)]
    public async Task WaitingPage_WhenSoldOut_SaysSo_AndOffersToKeepThePlaceOrLeaveIt(string language)
    {
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "hub-a");
        var queue = hub.Queue(Redis);
        var join = await queue.JoinAsync("fan", queueOff: false);
        using var client = hub.CreateClient();
        var url = PageUrl(hub, "fan", join.Ticket, language);
        var before = await client.GetStringAsync(url, Cancellation);
        await queue.SetInventoryAsync(0, DateTimeOffset.UtcNow, "test");
        var text = PageTexts.For(language);

        var html = await PageOnceAsync(client, url, h => !OpeningTag(h, "wr-soldout").Contains(" hidden", StringComparison.Ordinal));

        Assert.Contains(" hidden", OpeningTag(before, "wr-soldout"), StringComparison.Ordinal);
        Assert.DoesNotContain(" hidden", OpeningTag(html, "wr-soldout"), StringComparison.Ordinal);
        Assert.Equal(text["soldOutTitle"], Element(html, "wr-soldout-title"));
        Assert.Contains(text["soldOutBody"], html, StringComparison.Ordinal);
        var form = OpeningTag(html, "wr-leave");
        Assert.Contains("method=\"post\"", form, StringComparison.Ordinal);
        Assert.Contains($"action=\"/_wr/rooms/{hub.Room}/tickets/", form, StringComparison.Ordinal);
        Assert.Equal(text["soldOutLeave"], Element(html, "wr-leave-button"));
        Assert.Contains("\"soldOut\":true", html, StringComparison.Ordinal);
        // Still waiting: the page keeps refreshing without JavaScript, the place is not given up by being told.
        Assert.Contains("""<body data-state="waiting">""", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(WaitingPage.English)]
    [InlineData(WaitingPage.Korean)]
    public async Task SoldOutPage_OfAClosingRoom_Is410WhileSoldOut_InTheVisitorsLanguage(string language)
    {
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "hub-a", new Dictionary<string, string?> { ["WhenSoldOut"] = "Close" });
        await hub.Queue(Redis).SetInventoryAsync(0, DateTimeOffset.UtcNow, "test");
        using var client = hub.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var url = $"/_wr/wait/{hub.Room}/sold-out?return=%2Fconcerts%2F7&lang={language}";
        var text = PageTexts.For(language);

        HttpResponseMessage? response = null;
        var deadline = DateTime.UtcNow + Within;
        while (true)
        {
            response?.Dispose();
            response = await client.GetAsync(url, Cancellation);
            if (response.StatusCode == HttpStatusCode.Gone || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(50, Cancellation);
        }

        using (response)
        {
            var html = await response.Content.ReadAsStringAsync(Cancellation);
            Assert.Equal(HttpStatusCode.Gone, response.StatusCode);
            Assert.Contains($"<html lang=\"{language}\">", html, StringComparison.Ordinal);
            Assert.Contains("""<body data-state="closed">""", html, StringComparison.Ordinal);
            Assert.Contains(text["closedBody"], html, StringComparison.Ordinal);
            Assert.Contains("""id="wr-check-again" href="/concerts/7" """.TrimEnd(), html, StringComparison.Ordinal);
            Assert.DoesNotContain("http-equiv=\"refresh\"", html, StringComparison.Ordinal);
            Assert.True(response.Headers.Contains("Content-Security-Policy"));
        }
    }

    [Fact]
    public async Task SoldOutPage_WhenSeatsAreBack_OrTheRoomKeepsItsQueue_SendsTheVisitorOnToJoin()
    {
        await using var closing = new HubApp(Fixture.ConnectionString, RoomName(), "hub-a", new Dictionary<string, string?> { ["WhenSoldOut"] = "Close" });
        await using var keeping = new HubApp(Fixture.ConnectionString, RoomName(), "hub-b");
        await keeping.Queue(Redis).SetInventoryAsync(0, DateTimeOffset.UtcNow, "test");
        var options = new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false };
        using var closingClient = closing.CreateClient(options);
        using var keepingClient = keeping.CreateClient(options);

        using var available = await closingClient.GetAsync($"/_wr/wait/{closing.Room}/sold-out?return=%2Fconcerts%2F7", Cancellation);
        using var kept = await keepingClient.GetAsync($"/_wr/wait/{keeping.Room}/sold-out?return=%2F%2Fevil.example", Cancellation);

        Assert.Equal(HttpStatusCode.Redirect, available.StatusCode);
        Assert.Equal("/concerts/7", available.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, kept.StatusCode);
        Assert.Equal("/", kept.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData(WaitingPage.English)]
    [InlineData(WaitingPage.Korean)]
    public async Task WaitingPage_OfAPlaceGivenUp_SaysTheVisitorLeft(string language)
    {
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "hub-a");
        var queue = hub.Queue(Redis);
        var join = await queue.JoinAsync("fan", queueOff: false);
        await queue.LeaveAsync(join.Ticket);
        using var client = hub.CreateClient();

        var html = await client.GetStringAsync(PageUrl(hub, "fan", join.Ticket, language), Cancellation);

        Assert.Contains("""<body data-state="gone">""", html, StringComparison.Ordinal);
        Assert.Contains(PageTexts.For(language)["goneLeft"], html, StringComparison.Ordinal);
    }
}
