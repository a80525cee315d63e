using YarpWaitingRoom.OpsTests.Nginx;

namespace YarpWaitingRoom.OpsTests;

public sealed class NginxTemplateTests
{
    public static TheoryData<string> Templates => ["nginx/edge.conf.template", "nginx/internal.conf.template"];

    /// <summary>
    /// nginx counts as a server's failure exactly what <c>proxy_next_upstream</c> names (error, timeout and invalid_header
    /// always). Where failures are counted (<c>max_fails</c> &gt; 0), an HTTP status listed there would let whatever makes a
    /// server answer it take the server out: a client's request the proxy refuses, a database outage the backends report
    /// with 503. Only a connection that fails or times out may count.
    /// </summary>
    [Theory]
    [MemberData(nameof(Templates))]
    public void ProxyNextUpstream_WhereFailuresAreCounted_ListsNoHttpStatus(string path)
    {
        var template = NginxTemplate.Load(path);
        var checkedLocations = 0;
        foreach (var location in template.Locations)
        {
            if (location.Upstream is not { } name || !template.Upstreams.TryGetValue(name, out var upstream) || !upstream.CountsFailures)
            {
                continue;
            }

            checkedLocations++;
            var statuses = location.NextUpstream.Where(c => c.StartsWith("http_", StringComparison.Ordinal)).ToList();
            Assert.True(statuses.Count == 0, $"{path}: location {location.Match} → {name} (max_fails > 0) lists {string.Join(' ', statuses)} in proxy_next_upstream");
        }

        Assert.True(checkedLocations > 0, $"{path}: no location passes to an upstream that counts failures; did the parser miss them?");
    }

    /// <summary>
    /// The services answer <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c> only to direct requests, and tell a relayed
    /// one by its <c>X-Forwarded-For</c>: every location of the edge that passes requests on must set it (and overwrite,
    /// so the address the proxies believe is nginx's own view of the client).
    /// </summary>
    [Fact]
    public void EveryLocationOfTheEdge_ThatPassesRequestsOn_SetsXForwardedForToTheClientsAddress()
    {
        var edge = NginxTemplate.Load("nginx/edge.conf.template");
        var passing = edge.Locations.Where(l => l.ProxyPass is not null).ToList();

        Assert.NotEmpty(passing);
        Assert.All(passing, location => Assert.Equal("$remote_addr", location.Directives.GetValueOrDefault("proxy_set_header X-Forwarded-For")));
    }
}
