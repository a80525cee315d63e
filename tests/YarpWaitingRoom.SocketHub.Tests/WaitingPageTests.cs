using System.Net;
using System.Text.RegularExpressions;
using StackExchange.Redis;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.SocketHub.Tests;

/// <summary>The waiting page links and follows only paths of this site (<see cref="LocalUrls"/>), whatever <c>return=</c> says.</summary>
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

    public async ValueTask InitializeAsync() => _redis = await redis.Server.ConnectAsync();

    public async ValueTask DisposeAsync() => await _redis.DisposeAsync();

    [Theory]
    [MemberData(nameof(HostileReturns))]
    public async Task JoinAgainLink_WithAReturnThatIsNotLocal_PointsToTheSite(string hostile)
    {
        await using var hub = new HubApp(redis.ConnectionString, "r" + Guid.NewGuid().ToString("N")[..10], "hub-a");
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
        await using var hub = new HubApp(redis.ConnectionString, "r" + Guid.NewGuid().ToString("N")[..10], "hub-a");
        var join = await hub.Queue(_redis).JoinAsync("v1", "/api/concerts", queueOff: false);
        using var client = hub.CreateClient();

        var html = await client.GetStringAsync($"/_wr/wait/{hub.Room}?t={Uri.EscapeDataString(HubApp.TicketFor(hub.Room, "v1", join.Ticket))}&return={Uri.EscapeDataString(hostile)}", Cancellation);

        Assert.Contains("\"returnUrl\":\"/api/concerts\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("evil", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitJs_FollowsTheSameLocalUrlRule()
    {
        await using var hub = new HubApp(redis.ConnectionString, "r" + Guid.NewGuid().ToString("N")[..10], "hub-a");
        using var client = hub.CreateClient();

        var script = await client.GetStringAsync("/_wr/wait-assets/wait.js", Cancellation);

        Assert.Contains("/" + LocalUrls.Pattern + "/", script, StringComparison.Ordinal);
    }

    [GeneratedRegex("id=\"wr-rejoin\" href=\"(?<href>[^\"]*)\"")]
    private static partial Regex Rejoin();
}
