using System.Net;
using System.Text.Json;
using YarpWaitingRoom.Testing;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Gate;

/// <summary>The entry link's <c>return=</c> is followed only when it is a path of this site (<c>LocalUrls</c>).</summary>
public sealed class ReturnUrlTests(RedisFixture redis) : IAsyncLifetime
{
    private static readonly string[] HostileReturns =
    [
        "/\t/evil.example",
        "/\n/evil.example",
        "/\\evil.example",
        "//evil.example",
        "/\u3000/evil.example",
        "/\u00A0/evil.example",
        "https://evil.example",
        "javascript:alert(1)",
    ];

    private BackendStub _backend = null!;

    public async ValueTask InitializeAsync() => _backend = await BackendStub.StartAsync();

    public async ValueTask DisposeAsync() => await _backend.DisposeAsync();

    [Fact]
    public async Task Enter_WithAReturnThatIsNotLocal_RedirectsToThePageFirstAskedFor()
    {
        await using var app = new ProxyApp(redis.ConnectionString, _backend.Address, RoomName(), new Dictionary<string, string?> { ["Mode"] = "On", ["AdmitInterval"] = "00:00:01" });
        // Eight browsers share the test's one address and poll until admitted: however long a loaded machine takes to
        // admit them, the per-address visitor limit is not what this test is about.
        app.Settings["WaitingRoom:RateLimits:VisitorPerSecond"] = "100000";
        app.Settings["WaitingRoom:RateLimits:VisitorBurst"] = "100000";
        var browsers = HostileReturns.Select(_ => app.CreateBrowser()).ToList();
        try
        {
            var tickets = new List<string>();
            foreach (var browser in browsers)
            {
                using var queued = await browser.QueuedAsync("/api/echo?x=1");
                AssertStatus(HttpStatusCode.ServiceUnavailable, queued);
                tickets.Add((await queued.JsonAsync()).GetProperty("ticket").GetString()!);
            }

            var enterUrls = new string?[browsers.Count];
            Assert.True(await EventuallyAsync(async () =>
            {
                for (var i = 0; i < browsers.Count; i++)
                {
                    if (enterUrls[i] is null)
                    {
                        using var status = await browsers[i].GetAsync($"/_wr/rooms/{app.Room}/tickets/{Uri.EscapeDataString(tickets[i])}", Cancellation);
                        var body = await status.JsonAsync();
                        enterUrls[i] = body.TryGetProperty("enterUrl", out var url) && url.ValueKind == JsonValueKind.String ? url.GetString() : null;
                    }
                }

                return enterUrls.All(u => u is not null);
            }, TimeSpan.FromSeconds(10)), "the scheduler did not admit every visitor");

            for (var i = 0; i < browsers.Count; i++)
            {
                using var enter = await browsers[i].GetAsync(enterUrls[i] + "&return=" + Uri.EscapeDataString(HostileReturns[i]), Cancellation);
                AssertStatus(HttpStatusCode.Found, enter);
                Assert.True(enter.Headers.Location!.OriginalString == "/api/echo?x=1", $"return={JsonSerializer.Serialize(HostileReturns[i])}: Location {JsonSerializer.Serialize(enter.Headers.Location.OriginalString)}");
            }
        }
        finally
        {
            browsers.ForEach(b => b.Dispose());
        }
    }
}
