using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using YarpWaitingRoom.Testing;
using YarpWaitingRoom.Testing.Hub;

namespace YarpWaitingRoom.Packages.Tests;

/// <summary>
/// samples/Gateway, built from the packages and run as a process: its metadata-gated route (<c>/api/tickets</c>), its
/// code-gated route with a transform (<c>/orders</c>), its ungated route (<c>/public</c>), and the hub behind its own
/// routes (<c>/_wr/wait</c>, <c>/ws</c>). Each test starts from an empty room with the mode it needs.
/// </summary>
[Collection(GatewayGroup.Name)]
public sealed class SampleGatewayTests(GatewayTopology topology)
{
    private const string VisitorCookie = "wr_vid";
    private const string AdmissionCookie = "wr_" + GatewayTopology.Room;

    private static readonly TimeSpan AdmissionTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task GatedRoute_QueueOff_IsProxiedWithTheVisitorHeaderAndSetsBothCookies()
    {
        var ct = TestContext.Current.CancellationToken;
        await topology.ResetRoomAsync("Off", ct);
        var cookies = new CookieContainer();
        using var client = topology.Client(cookies);
        var marker = UniqueName.For();

        using var response = await client.SendAsync(Get($"/api/tickets/{marker}", "application/json"), ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"upstream saw /api/tickets/{marker}", await response.Content.ReadAsStringAsync(ct));
        var seen = Assert.Single(topology.Upstream.Saw(marker));
        Assert.False(string.IsNullOrEmpty(seen.Visitor));
        var names = cookies.GetAllCookies().Select(c => c.Name).ToArray();
        Assert.Contains(VisitorCookie, names);
        Assert.Contains(AdmissionCookie, names);
    }

    [Fact]
    public async Task GatedRoute_ForcedOn_AnswersApiClients503WithATicketAndRedirectsBrowsersToTheHubsWaitingPage()
    {
        var ct = TestContext.Current.CancellationToken;
        await topology.ResetRoomAsync("On", ct);
        var marker = UniqueName.For();

        using var api = topology.Client();
        using var queued = await api.SendAsync(Get($"/api/tickets/{marker}", "application/json"), ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, queued.StatusCode);
        Assert.NotNull(queued.Headers.RetryAfter);
        var body = JsonDocument.Parse(await queued.Content.ReadAsStringAsync(ct)).RootElement;
        Assert.Equal(GatewayTopology.Room, body.GetProperty("room").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("ticket").GetString()));

        using var browser = topology.Client(new CookieContainer());
        using var diverted = await browser.SendAsync(Get($"/api/tickets/{marker}", "text/html"), ct);
        Assert.Equal(HttpStatusCode.Found, diverted.StatusCode);
        var waitPage = diverted.Headers.Location!.OriginalString;
        Assert.StartsWith($"/_wr/wait/{GatewayTopology.Room}", waitPage, StringComparison.Ordinal);

        // The sample routes the waiting page to the hub: the redirect lands on a page, not on a 404.
        using var page = await browser.SendAsync(Get(waitPage, "text/html"), ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Empty(topology.Upstream.Saw(marker));
    }

    [Fact]
    public async Task QueuedVisitor_OnTheHubsSocketThroughTheSample_IsAdmittedEntersAndPassesTheGatedRoute()
    {
        var ct = TestContext.Current.CancellationToken;
        await topology.ResetRoomAsync("On", ct);
        var cookies = new CookieContainer();
        using var client = topology.Client(cookies);
        var marker = UniqueName.For();

        using var queued = await client.SendAsync(Get($"/api/tickets/{marker}", "application/json"), ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, queued.StatusCode);
        var ticket = JsonDocument.Parse(await queued.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("ticket").GetString()!;

        await using var socket = new HubClient { Token = ticket, Cookie = cookies.GetCookieHeader(topology.Gateway.Address) };
        await socket.ConnectAsync(HubClient.SocketUri(topology.Gateway.Address, GatewayTopology.Room, ticket), invoker: null, heartbeatEvery: TimeSpan.FromSeconds(1), ct);
        using var admission = CancellationTokenSource.CreateLinkedTokenSource(ct);
        admission.CancelAfter(AdmissionTimeout);
        var admitted = await socket.WaitForAsync(HubMessageKind.Admitted | HubMessageKind.Gone, admission.Token);

        Assert.Equal(HubMessageKind.Admitted, admitted?.Kind);
        Assert.StartsWith($"/_wr/enter/{GatewayTopology.Room}", admitted!.EnterUrl, StringComparison.Ordinal);
        using var entered = await client.SendAsync(Get(admitted.EnterUrl!, "text/html"), ct);
        Assert.Equal(HttpStatusCode.Found, entered.StatusCode);
        Assert.Contains(cookies.GetAllCookies(), c => c.Name == AdmissionCookie);

        using var passed = await client.SendAsync(Get($"/api/tickets/{marker}", "application/json"), ct);
        Assert.Equal(HttpStatusCode.OK, passed.StatusCode);
        Assert.False(string.IsNullOrEmpty(Assert.Single(topology.Upstream.Saw(marker)).Visitor));
    }

    [Fact]
    public async Task EndSessionCommandFromTheUpstream_IsNotSeenByTheClient_AndItsAdmissionNoLongerAdmits()
    {
        var ct = TestContext.Current.CancellationToken;
        await topology.ResetRoomAsync("Off", ct);
        var cookies = new CookieContainer();
        using var client = topology.Client(cookies);
        var marker = UniqueName.For();
        using var admitted = await client.SendAsync(Get($"/api/tickets/{marker}", "application/json"), ct);
        Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
        var admission = cookies.GetAllCookies().Single(c => c.Name == AdmissionCookie).Value;
        var visitor = cookies.GetAllCookies().Single(c => c.Name == VisitorCookie).Value;
        // From now on only an admission lets anyone through, and nobody is admitted from the queue.
        await topology.SetModeAsync("Paused", ct);

        using var ended = await client.SendAsync(Get($"/api/tickets/{marker}{UpstreamStub.EndSessionSuffix}", "application/json"), ct);
        Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
        Assert.False(ended.Headers.Contains("X-WaitingRoom-Command"));
        Assert.Single(topology.Upstream.Saw(marker + UpstreamStub.EndSessionSuffix));

        using var next = await client.SendAsync(Get($"/api/tickets/{marker}/next", "application/json"), ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, next.StatusCode);
        // Nor does the old admission cookie, presented again (a client that ignored its deletion).
        using var replay = Get($"/api/tickets/{marker}/replay", "application/json");
        replay.Headers.Add("Cookie", $"{VisitorCookie}={visitor}; {AdmissionCookie}={admission}");
        using var replayed = await topology.Client().SendAsync(replay, ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, replayed.StatusCode);
        Assert.Empty(topology.Upstream.Saw(marker + "/next"));
        Assert.Empty(topology.Upstream.Saw(marker + "/replay"));
    }

    [Fact]
    public async Task CodeGatedRouteWithATransform_ForcedOn_IsGated_AndWhenAdmittedReachesTheUpstreamWithoutItsPrefix()
    {
        var ct = TestContext.Current.CancellationToken;
        await topology.ResetRoomAsync("On", ct);
        var marker = UniqueName.For();

        using var api = topology.Client();
        using var queued = await api.SendAsync(Get($"/orders/{marker}", "application/json"), ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, queued.StatusCode);
        using var diverted = await api.SendAsync(Get($"/orders/{marker}", "text/html"), ct);
        Assert.Equal(HttpStatusCode.Found, diverted.StatusCode);
        Assert.StartsWith($"/_wr/wait/{GatewayTopology.Room}", diverted.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Empty(topology.Upstream.Saw(marker));

        // Direct admission needs an empty queue: the two visitors above wait in it.
        await topology.ResetRoomAsync("Off", ct);
        using var client = topology.Client(new CookieContainer());
        using var passed = await client.SendAsync(Get($"/orders/{marker}?page=2", "application/json"), ct);

        Assert.Equal(HttpStatusCode.OK, passed.StatusCode);
        var seen = Assert.Single(topology.Upstream.Saw(marker));
        Assert.Equal($"/{marker}?page=2", seen.PathAndQuery);
        Assert.False(string.IsNullOrEmpty(seen.Visitor));
    }

    [Fact]
    public async Task UngatedRoute_WithRedisUnreachable_IsProxiedWithoutCookies_WhileTheGatedRouteFailsClosed()
    {
        var ct = TestContext.Current.CancellationToken;
        var gateway = topology.GatewayWithoutRedis;
        using var client = topology.Client(new CookieContainer(), gateway);
        var marker = UniqueName.For();

        for (var i = 0; i < 50; i++)
        {
            using var response = await client.SendAsync(Get($"/public/{marker}/{i}", "text/html"), ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.False(response.Headers.Contains("Set-Cookie"));
        }

        Assert.Equal(50, topology.Upstream.Saw(marker).Count);
        using var gated = await client.SendAsync(Get($"/api/tickets/{marker}", "application/json"), ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, gated.StatusCode);
        Assert.Empty(topology.Upstream.Saw($"/api/tickets/{marker}"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UngatedRoute_VisitorHeaderSentByTheClient_NeverReachesTheUpstream(bool redisUnreachable)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = topology.Client(gateway: redisUnreachable ? topology.GatewayWithoutRedis : topology.Gateway);
        var marker = UniqueName.For();
        using var request = Get($"/public/{marker}", "application/json");
        request.Headers.Add("X-WaitingRoom-Visitor", "v-forged");

        using var response = await client.SendAsync(request, ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(Assert.Single(topology.Upstream.Saw(marker)).Visitor);
    }

    [Fact]
    public async Task GatewaysOwnHealthEndpoint_IsServedByTheGatewayItself()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = topology.Client(gateway: topology.GatewayWithoutRedis);
        var before = topology.Upstream.Requests.Count;

        using var response = await client.GetAsync("/health", ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("healthy", await response.Content.ReadAsStringAsync(ct));
        Assert.Equal(before, topology.Upstream.Requests.Count);
    }

    private static HttpRequestMessage Get(string url, string accept)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        return request;
    }
}
