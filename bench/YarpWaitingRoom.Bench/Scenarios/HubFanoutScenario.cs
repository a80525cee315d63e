using System.Diagnostics;
using System.Text.Json.Nodes;
using YarpWaitingRoom.Testing.Hub;

namespace YarpWaitingRoom.Bench.Scenarios;

/// <summary>
/// One admission batch of 5,000 fanned out as <c>admitted</c> messages to 5,000 WebSockets spread over two hubs (child
/// processes): the time from just before the admit call to each client's receipt (p50/p95/p99/max, same clock), and
/// exactly one notice per client. The admit script publishes one message; both hubs receive it, claim the notices of
/// their own sessions and send.
/// </summary>
internal static class HubFanoutScenario
{
    public const string Name = "hubfanout";

    public const int DefaultSessions = 5_000;

    private const double TargetP99Ms = 1000;

    private static readonly string[] Instances = ["bench-hub-a", "bench-hub-b"];
    private static readonly TimeSpan FirstPositionTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DuplicateWatch = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    public static async Task<int> RunAsync(int sessions, CancellationToken cancellationToken)
    {
        sessions = HubBenchRoom.FitToFileLimit(sessions);
        Console.WriteLine($"hubfanout: {sessions:N0} sessions over {Instances.Length} hubs, one admission of {sessions:N0}");
        return await HubScenarios.RunAsync(
            Name, "benchfan", sessions, Instances, pushInterval: null,
            (room, hubs, clients, visitors) => MeasureAsync(room, hubs, clients, visitors, cancellationToken), cancellationToken);
    }

    private static async Task<int> MeasureAsync(HubBenchRoom room, IReadOnlyList<ServiceProcess> hubs, HubClientSet clients, HubVisitor[] visitors, CancellationToken cancellationToken)
    {
        var sessions = visitors.Length;
        var connectSeconds = await clients.ConnectAsync(visitors, (i, visitor) => room.SocketUri(hubs[i % hubs.Count], visitor), cancellationToken);
        await clients.WaitForFirstPositionsAsync(FirstPositionTimeout, cancellationToken);
        Console.WriteLine($"  connected {sessions:N0} sockets ({sessions / hubs.Count:N0} per hub) in {connectSeconds:F1} s; all had their first position");
        await Task.Delay(Settle, cancellationToken);

        var fence = await room.Queue.NextFenceAsync();
        var cpuBefore = hubs.Select(h => h.CpuTime).ToArray();
        var t0 = Stopwatch.GetTimestamp();
        var admit = await room.Queue.AdmitAsync(fence, sessions);
        var admitMs = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        Console.WriteLine($"  admitted {admit.Admitted:N0} in one call ({admitMs:F1} ms round trip); waiting for the notices");

        var deadline = t0 + (long)(DeliveryTimeout.TotalSeconds * Stopwatch.Frequency);
        while (clients.AdmittedClients < sessions && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }

        var allInMs = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        // What each hub spent on the fan-out (parse, claim, tokens, sends; a push tick that fell in the same time too).
        var cpuMs = hubs.Select((h, i) => (h.CpuTime - cpuBefore[i]).TotalMilliseconds).ToArray();
        // Late duplicates (a second hub, a push tick finding the ticket active) would arrive after the first notices.
        await Task.Delay(DuplicateWatch, cancellationToken);

        var latencies = clients.Clients
            .Select(c => c.First(HubMessageKind.Admitted))
            .OfType<HubMessage>()
            .Select(admitted => (admitted.ReceivedAt - t0) * 1000.0 / Stopwatch.Frequency)
            .Order()
            .ToArray();
        var perHub = hubs.Select((hub, h) => clients.Clients
            .Where((c, i) => i % hubs.Count == h)
            .Select(c => c.First(HubMessageKind.Admitted))
            .OfType<HubMessage>()
            .Select(admitted => (admitted.ReceivedAt - t0) * 1000.0 / Stopwatch.Frequency)
            .Order()
            .ToArray()).ToArray();
        var messages = clients.Clients.Sum(c => c.Count(HubMessageKind.Admitted));
        var once = clients.Clients.Count(c => c.Count(HubMessageKind.Admitted) == 1);
        var never = clients.Clients.Count(c => c.Count(HubMessageKind.Admitted) == 0);
        var twice = clients.Clients.Count(c => c.Count(HubMessageKind.Admitted) > 1);

        var hubFigures = new JsonArray();
        Console.WriteLine();
        Console.WriteLine($"{"receiver",-14} {"received",9} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"max ms",8} {"hub notices",12} {"claims lost",12} {"hub CPU ms",11}");
        for (var h = 0; h < hubs.Count; h++)
        {
            using var scraper = new HttpClient { BaseAddress = hubs[h].Url, Timeout = TimeSpan.FromSeconds(10) };
            var metrics = await PrometheusText.ScrapeAsync(scraper, cancellationToken);
            var notices = (long)(metrics.Value("sockethub_admission_notices_total", ("room", room.Name)) ?? 0);
            var lost = (long)(metrics.Value("sockethub_notice_duplicates_suppressed_total", ("room", room.Name)) ?? 0);
            PrintRow(Instances[h], perHub[h], notices.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), lost.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), cpuMs[h]);
            hubFigures.Add(new JsonObject
            {
                ["instance"] = Instances[h],
                ["received"] = perHub[h].Length,
                ["p50Ms"] = Round(HubScenarios.Percentile(perHub[h], 50)),
                ["p99Ms"] = Round(HubScenarios.Percentile(perHub[h], 99)),
                ["maxMs"] = Round(perHub[h].LastOrDefault(double.NaN)),
                ["noticesSent"] = notices,
                ["claimsLost"] = lost,
                ["cpuMs"] = Round(cpuMs[h]),
            });
        }

        PrintRow("all", latencies, string.Empty, string.Empty, cpuMs.Sum());
        var p99 = HubScenarios.Percentile(latencies, 99);
        var exact = admit.Admitted == sessions && messages == sessions && once == sessions;
        Console.WriteLine($"admit call to receipt, p99: {p99:F1} ms (target <= {TargetP99Ms:F0} ms: {(p99 <= TargetP99Ms ? "met" : "MISSED")}); all {latencies.Length:N0} in by {allInMs:F0} ms after t0");
        Console.WriteLine($"admitted messages: {messages:N0} for {sessions:N0} clients; exactly one {once:N0}, none {never:N0}, more than one {twice:N0} (exactly once each: {(exact ? "met" : "MISSED")})");
        Console.WriteLine($"other messages: gone {clients.GoneMessages}, unexpected {clients.UnexpectedMessages}; connections failed {clients.Failed}, closed by a hub {clients.ClosedByHub}");

        var json = new JsonObject
        {
            ["sessions"] = sessions,
            ["hubs"] = hubs.Count,
            ["admitted"] = admit.Admitted,
            ["admitRoundTripMs"] = Round(admitMs),
            ["p50Ms"] = Round(HubScenarios.Percentile(latencies, 50)),
            ["p95Ms"] = Round(HubScenarios.Percentile(latencies, 95)),
            ["p99Ms"] = Round(p99),
            ["maxMs"] = Round(latencies.LastOrDefault(double.NaN)),
            ["targetP99Ms"] = TargetP99Ms,
            ["admittedMessages"] = messages,
            ["clientsExactlyOnce"] = once,
            ["clientsNone"] = never,
            ["clientsMoreThanOnce"] = twice,
            ["hubCpuMs"] = Round(cpuMs.Sum()),
            ["perHub"] = hubFigures,
        };
        Console.WriteLine($"wrote {ResultsFile.Write(Name, json)}");
        return exact && p99 <= TargetP99Ms ? 0 : 1;
    }

    private static void PrintRow(string name, double[] sorted, string notices, string lost, double cpuMs) =>
        Console.WriteLine($"{name,-14} {sorted.Length,9:N0} {HubScenarios.Percentile(sorted, 50),8:F1} {HubScenarios.Percentile(sorted, 95),8:F1} {HubScenarios.Percentile(sorted, 99),8:F1} {sorted.LastOrDefault(double.NaN),8:F1} {notices,12} {lost,12} {cpuMs,11:F1}");

    private static double Round(double value) => double.IsNaN(value) ? -1 : Math.Round(value, 1);
}
