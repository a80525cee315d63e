using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace YarpWaitingRoom.SystemTests;

/// <summary>
/// The Grafana dashboards against the real stack and its Prometheus: every panel's query parses, the core panels return
/// series, and every metric a dashboard names is exported by some service.
/// </summary>
[Collection(JourneyGroup.Name)]
public sealed partial class DashboardTests(JourneyTopology stack) : IAsyncDisposable
{
    /// <summary>A failed test's output gets what the stack logged.</summary>
    public ValueTask DisposeAsync() => stack.Stack.ExplainFailureAsync();

    /// <summary>Panels an operator cannot do without during a sale; they must show data on a live stack.</summary>
    private static readonly HashSet<(string Dashboard, string Panel)> CorePanels =
    [
        ("waiting-room", "Request rate vs thresholds"),
        ("waiting-room", "Queue on / off"),
        ("waiting-room", "Waiting and active (cap 5,000)"),
        ("waiting-room", "Time in queue p50 / p90 (goal 30 s)"),
        ("edge-traffic", "Calls per route"),
        ("edge-traffic", "Latency per route p50 / p95 / p99"),
        ("edge-traffic", "Diverted vs passed"),
        ("socket-hubs", "Connections per hub"),
        ("reservations", "Holds created per minute"),
    ];

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryPanelQueryParses_CorePanelsReturnSeries_AndEveryMetricNamedExists()
    {
        await MakeTrafficAsync();
        using var prometheus = new HttpClient { BaseAddress = stack.Prometheus };
        var panels = Dashboards(stack.Stack.RepositoryRoot).ToList();
        Assert.Equal(4, panels.Select(p => p.Dashboard).Distinct().Count());

        // Scrapes every 5 s: wait until the traffic made above shows in the core panels (rates need two scrapes).
        var failures = new List<string>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(45);
        do
        {
            failures.Clear();
            foreach (var panel in panels)
            {
                foreach (var expr in panel.Queries)
                {
                    var (ok, series, error) = await QueryAsync(prometheus, expr);
                    if (!ok)
                    {
                        failures.Add($"{panel.Dashboard} / {panel.Title}: query does not parse: {error} ({expr})");
                    }
                    else if (series == 0 && CorePanels.Contains((panel.Dashboard, panel.Title)) && panel.Queries.IndexOf(expr) == 0)
                    {
                        failures.Add($"{panel.Dashboard} / {panel.Title}: no series for {expr}");
                    }
                }
            }

            if (failures.Count == 0)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromSeconds(3), Cancellation);
        }
        while (DateTime.UtcNow < deadline);

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        Assert.All(CorePanels, core => Assert.Contains(panels, p => (p.Dashboard, p.Title) == core));

        var exported = new HashSet<string>(StringComparer.Ordinal);
        using var scraper = new HttpClient();
        foreach (var service in stack.Services)
        {
            var text = await scraper.GetStringAsync(new Uri(service, "/metrics"), Cancellation);
            // The runtime's private diagnostics meters (MsQuic and the like) are filtered out of every service's /metrics.
            Assert.DoesNotContain("\nprivate_internaldiagnostics_", text, StringComparison.Ordinal);
            foreach (Match m in MetricFamily().Matches(text))
            {
                exported.Add(m.Groups[1].Value);
            }
        }

        var named = panels.SelectMany(p => p.Queries).SelectMany(q => MetricName().Matches(q).Select(m => StripSuffix(m.Value))).Distinct().ToList();
        Assert.NotEmpty(named);
        Assert.All(named, name => Assert.True(exported.Contains(name), $"dashboards use {name}, which no service exports"));
        TestContext.Current.SendDiagnosticMessage($"verified {panels.Count} panels, {panels.Sum(p => p.Queries.Count)} queries, {named.Count} metrics");
    }

    /// <summary>Some of everything the core panels show: direct admissions, a diverted join, a hold.</summary>
    private async Task MakeTrafficAsync()
    {
        using var edge = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = stack.Edge };
        for (var i = 0; i < 5; i++)
        {
            using var response = await edge.GetAsync("/journey/api/concerts", Cancellation);
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"unexpected {(int)response.StatusCode}");
        }

        // One visitor waits and is admitted at the next 2-s tick: time in queue gets a sample.
        using var admin = new HttpClient { BaseAddress = stack.Edge };
        admin.DefaultRequestHeaders.Add("X-WaitingRoom-Admin-Key", StackRun.AdminKey);
        (await admin.PutAsJsonAsync("/_wr/admin/rooms/journey/mode", new { mode = "On" }, Cancellation)).EnsureSuccessStatusCode();
        await Task.Delay(TimeSpan.FromSeconds(1.2), Cancellation);
        using (var join = new HttpRequestMessage(HttpMethod.Get, "/journey/api/concerts"))
        using (var newcomer = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = stack.Edge })
        {
            join.Headers.Accept.ParseAdd("application/json");
            using var queued = await newcomer.SendAsync(join, Cancellation);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, queued.StatusCode);
        }

        await Task.Delay(TimeSpan.FromSeconds(2.5), Cancellation);
        (await admin.PutAsJsonAsync("/_wr/admin/rooms/journey/mode", new { mode = "Auto" }, Cancellation)).EnsureSuccessStatusCode();

        using var lb = new HttpClient { BaseAddress = stack.Stack.InternalLoadBalancer };
        lb.DefaultRequestHeaders.Add("X-WaitingRoom-Visitor", "dashboard-" + Guid.NewGuid().ToString("N")[..8]);
        var seats = await lb.GetFromJsonAsync<JsonElement>("/api/concerts/1/seats", Cancellation);
        var seatId = seats.EnumerateArray().Last(s => s.GetProperty("status").GetString() == "available").GetProperty("id").GetInt32();
        using var hold = await lb.PostAsJsonAsync("/api/holds", new { seatId }, Cancellation);
        Assert.Equal(HttpStatusCode.Created, hold.StatusCode);
    }

    private static async Task<(bool Ok, int Series, string? Error)> QueryAsync(HttpClient prometheus, string expr)
    {
        using var response = await prometheus.GetAsync("/api/v1/query?query=" + Uri.EscapeDataString(expr), Cancellation);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        return body.GetProperty("status").GetString() == "success"
            ? (true, body.GetProperty("data").GetProperty("result").GetArrayLength(), null)
            : (false, 0, body.GetProperty("error").GetString());
    }

    private static IEnumerable<Panel> Dashboards(string root)
    {
        foreach (var file in Directory.GetFiles(Path.Combine(root, "grafana", "dashboards"), "*.json"))
        {
            var dashboard = JsonDocument.Parse(File.ReadAllText(file)).RootElement;
            var uid = dashboard.GetProperty("uid").GetString()!;
            foreach (var panel in dashboard.GetProperty("panels").EnumerateArray())
            {
                var queries = panel.GetProperty("targets").EnumerateArray()
                    .Select(t => GrafanaVariables(t.GetProperty("expr").GetString()!))
                    .ToList();
                yield return new Panel(uid, panel.GetProperty("title").GetString()!, queries);
            }
        }
    }

    /// <summary>Grafana's built-in range variables, as Grafana would fill them for a 30-minute view.</summary>
    private static string GrafanaVariables(string expr) => expr
        .Replace("$__range", "30m", StringComparison.Ordinal)
        .Replace("$__rate_interval", "1m", StringComparison.Ordinal)
        .Replace("$__interval", "15s", StringComparison.Ordinal);

    private static string StripSuffix(string name)
    {
        foreach (var suffix in new[] { "_bucket", "_count", "_sum" })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal))
            {
                return name[..^suffix.Length];
            }
        }

        return name;
    }

    [GeneratedRegex(@"\b(?:waitingroom|sockethub|reservation)_[a-z0-9_]+\b")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) ", RegexOptions.Multiline)]
    private static partial Regex MetricFamily();

    private sealed record Panel(string Dashboard, string Title, List<string> Queries);
}
