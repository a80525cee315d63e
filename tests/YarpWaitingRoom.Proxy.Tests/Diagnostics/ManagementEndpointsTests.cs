using System.Net;
using YarpWaitingRoom.Testing;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Diagnostics;

/// <summary>
/// /healthz, /readyz and /metrics answer Prometheus, the orchestrator and ./stack, which ask a proxy directly; asked
/// through the edge (an ingress), which always sets X-Forwarded-For, they are a visitor's request and get 404.
/// </summary>
public sealed class ManagementEndpointsTests(RedisFixture redis) : ProxyTestBase(redis)
{
    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    [InlineData("/metrics")]
    [InlineData("/METRICS")]
    public async Task ManagementEndpoint_AskedDirectly_Answers_AskedThroughTheEdge_Is404(string path)
    {
        await using var app = App();
        using var client = app.CreateClient();

        using var direct = await client.GetAsync(path, Cancellation);
        Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
        var series = $"management_requests_refused_total{{endpoint=\"{path.ToLowerInvariant()}\"}}";
        var before = Value(await client.GetStringAsync("/metrics", Cancellation), series);

        // As the edge nginx relays it (believed from loopback, so the forwarded headers become X-Original-For), as
        // ingress-nginx appends to a forged one, and as an untrusted relay would send it.
        foreach (var forwardedFor in new[] { "203.0.113.9", "198.51.100.1, 203.0.113.9", "not an address" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("X-Forwarded-For", forwardedFor);
            using var relayed = await client.SendAsync(request, Cancellation);
            Assert.Equal(HttpStatusCode.NotFound, relayed.StatusCode);
            Assert.DoesNotContain("waitingroom_", await relayed.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        }

        // Counted by the route's pattern, whatever the casing asked (the counter is the process's: a delta).
        Assert.Equal(before + 3, Value(await client.GetStringAsync("/metrics", Cancellation), series));
    }

    private static double Value(string metrics, string series) =>
        metrics.Split('\n').Where(line => line.StartsWith(series + " ", StringComparison.Ordinal))
            .Select(line => double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture))
            .SingleOrDefault();

    [Fact]
    public async Task ARelayedRequest_ForAnythingElse_IsServedAsEver()
    {
        await using var app = App();
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/echo");
        request.Headers.Add("X-Forwarded-For", "203.0.113.10");

        using var response = await client.SendAsync(request, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
