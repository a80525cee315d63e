using System.Net;
using YarpWaitingRoom.Invitations;
using YarpWaitingRoom.Testing;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Gate;

/// <summary>
/// An invite-only room (presale) at the gate: a place needs a key the ticket site signed for this room; a missing,
/// forged, expired or other room's key is 403 with its problem type and takes no place; a valid key is one place, the
/// same from any browser, and the member's browser keeps it without showing the key again.
/// </summary>
public sealed class InvitationGateTests(RedisFixture redis) : ProxyTestBase(redis)
{
    private const string Secret = "presale-secret-presale-secret-0001";
    private const string OtherSecret = "another-secret-another-secret-0002";

    private ProxyApp PresaleApp() =>
        App(mode: "Paused", settings: new() { ["Access"] = "Invitation", ["InvitationSecrets:0"] = Secret });

    private static async Task<HttpResponseMessage> WithKeyAsync(HttpClient client, string? key, bool inQuery = false)
    {
        using var request = Api(HttpMethod.Get, inQuery && key is not null ? "/api/echo?wr_access=" + Uri.EscapeDataString(key) : "/api/echo");
        if (!inQuery && key is not null)
        {
            request.Headers.Add("X-WaitingRoom-Access", key);
        }

        return await client.SendAsync(request, Cancellation);
    }

    public static TheoryData<string, string> RefusedKeys => new()
    {
        { "missing", "invitation-required" },
        { "forged", "invalid-invitation" },
        { "garbage", "invalid-invitation" },
        { "expired", "invitation-expired" },
        { "other-room", "foreign-invitation" },
    };

    [Theory]
    [MemberData(nameof(RefusedKeys))]
    public async Task Key_ThatIsNotValidForThisRoom_Is403WithItsProblem_AndTakesNoPlace(string kind, string type)
    {
        await using var app = PresaleApp();
        var now = DateTimeOffset.UtcNow;
        var key = kind switch
        {
            "missing" => null,
            "forged" => InvitationKeys.Sign(OtherSecret, app.Room, "fan-1", now.AddHours(1)),
            "garbage" => "v1.not.a.key",
            "expired" => InvitationKeys.Sign(Secret, app.Room, "fan-1", now.AddMinutes(-1)),
            _ => InvitationKeys.Sign(Secret, "another-room", "fan-1", now.AddHours(1)),
        };

        using var response = await WithKeyAsync(app.CreateBrowser(), key);

        AssertStatus(HttpStatusCode.Forbidden, response);
        Assert.Equal("urn:yarp-waiting-room:problem:" + type, (await response.JsonAsync()).GetProperty("type").GetString());
        Assert.Equal(0, await app.Redis().SortedSetLengthAsync(app.Keys().Waiting));
        var metrics = await app.CreateClient().GetStringAsync("/metrics", Cancellation);
        Assert.Contains($"waitingroom_invitations_refused_total{{room=\"{app.Room}\",reason=", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidKey_IsOnePlace_TheSameFromAnyBrowser_AndTheMembersBrowserKeepsItWithoutTheKey()
    {
        await using var app = PresaleApp();
        var key = InvitationKeys.Sign(Secret, app.Room, "fan-42", DateTimeOffset.UtcNow.AddHours(1));
        using var phone = app.CreateBrowser();
        using var laptop = app.CreateBrowser();

        using var first = await QueuedAsync(() => WithKeyAsync(phone, key));
        using var fromTheLaptop = await QueuedAsync(() => WithKeyAsync(laptop, key, inQuery: true));
        using var backWithoutTheKey = await QueuedAsync(() => WithKeyAsync(phone, key: null));

        AssertStatus(HttpStatusCode.ServiceUnavailable, first);
        var place = await PlaceOfAsync(app, first);
        Assert.Equal(place, await PlaceOfAsync(app, fromTheLaptop));
        Assert.Equal(place, await PlaceOfAsync(app, backWithoutTheKey));
        Assert.Equal(1, await app.Redis().SortedSetLengthAsync(app.Keys().Waiting));
        Assert.StartsWith("m", place.Visitor, StringComparison.Ordinal);
    }

    /// <summary>The visitor and place a queued answer's ticket token names.</summary>
    private static async Task<(string Visitor, string Ticket)> PlaceOfAsync(ProxyApp app, HttpResponseMessage queued)
    {
        var token = (await queued.JsonAsync()).GetProperty("ticket").GetString();
        Assert.Equal(Tokens.TokenStatus.Valid, app.Tokens().Validate(token, Tokens.TokenKind.Ticket, app.Room, null, DateTimeOffset.UtcNow, out var claims));
        return (claims!.Visitor, claims.Ticket);
    }

    [Fact]
    public async Task KeyInTheLink_IsTakenOutOfTheRequest_NeitherForwardedNorInTheWaitingPagesReturnUrl()
    {
        await using var admits = App(mode: "Off", settings: new() { ["Access"] = "Invitation", ["InvitationSecrets:0"] = Secret });
        var key = InvitationKeys.Sign(Secret, admits.Room, "fan-9", DateTimeOffset.UtcNow.AddHours(1));
        using var browser = admits.CreateBrowser();

        using var passed = await browser.SendAsync(HttpMethod.Get, "/api/echo?seat=A1&wr_access=" + Uri.EscapeDataString(key));

        AssertStatus(HttpStatusCode.OK, passed);
        Assert.Equal("?seat=A1", Assert.Single(Backend.EchoQueries));

        await using var waits = PresaleApp();
        using var page = new HttpRequestMessage(HttpMethod.Get, "/api/echo?wr_access=" + Uri.EscapeDataString(InvitationKeys.Sign(Secret, waits.Room, "fan-9", DateTimeOffset.UtcNow.AddHours(1))));
        page.Headers.Accept.ParseAdd("text/html");
        using var diverted = await waits.CreateBrowser().SendAsync(page, Cancellation);

        AssertStatus(HttpStatusCode.Found, diverted);
        Assert.DoesNotContain("wr_access", diverted.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.DoesNotContain("v1.", Uri.UnescapeDataString(diverted.Headers.Location.OriginalString.Split("return=")[1]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoMembers_TakeTwoPlaces()
    {
        await using var app = PresaleApp();
        var expires = DateTimeOffset.UtcNow.AddHours(1);

        using var one = await WithKeyAsync(app.CreateBrowser(), InvitationKeys.Sign(Secret, app.Room, "fan-1", expires));
        using var two = await WithKeyAsync(app.CreateBrowser(), InvitationKeys.Sign(Secret, app.Room, "fan-2", expires));

        Assert.NotEqual(await PlaceOfAsync(app, one), await PlaceOfAsync(app, two));
        Assert.Equal(2, await app.Redis().SortedSetLengthAsync(app.Keys().Waiting));
    }
}
