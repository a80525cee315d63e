using System.Text.Json.Nodes;

namespace YarpWaitingRoom.Bench.Scenarios;

/// <summary>
/// What an idle WebSocket session costs a hub in memory: the hub's resident set (<c>VmRSS</c>) with one session and
/// again with 10,000 more idle sessions (no client traffic; the hub still pushes positions), divided by 10,000. Each
/// reading follows a full GC induced in the hub through the runtime's diagnostics socket, so the managed heap after it
/// is what the sessions keep alive; the loaded state is also read before that GC (what the hub holds in practice).
/// </summary>
internal static class HubMemoryScenario
{
    public const string Name = "hubmemory";

    public const int DefaultSessions = 10_000;

    private const string Instance = "bench-hub-a";
    private const string HeapSize = "system_runtime_dotnet_gc_last_collection_heap_size";
    private const string HeapFragmentation = "system_runtime_dotnet_gc_last_collection_heap_fragmentation_size";

    private static readonly TimeSpan FirstPositionTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan BaselineSettle = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan LoadedSettle = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan AfterGc = TimeSpan.FromSeconds(1);

    public static async Task<int> RunAsync(int sessions, CancellationToken cancellationToken)
    {
        sessions = HubBenchRoom.FitToFileLimit(sessions);
        Console.WriteLine($"hubmemory: one hub, memory with 1 session and with {sessions:N0} more idle sessions");
        return await HubScenarios.RunAsync(
            Name, "benchmem", sessions + 1, [Instance], pushInterval: null,
            (room, hubs, clients, visitors) => MeasureAsync(hubs[0], room, clients, visitors, cancellationToken), cancellationToken);
    }

    private static async Task<int> MeasureAsync(ServiceProcess hub, HubBenchRoom room, HubClientSet clients, HubVisitor[] visitors, CancellationToken cancellationToken)
    {
        var sessions = visitors.Length - 1;
        using var scraper = new HttpClient { BaseAddress = hub.Url, Timeout = TimeSpan.FromSeconds(10) };

        await clients.ConnectAsync(visitors[..1], (_, visitor) => room.SocketUri(hub, visitor), cancellationToken);
        await clients.WaitForFirstPositionsAsync(FirstPositionTimeout, cancellationToken);
        await Task.Delay(BaselineSettle, cancellationToken);
        // Scrape once first: the first scrape of /metrics allocates too.
        await PrometheusText.ScrapeAsync(scraper, cancellationToken);
        var baseline = await ReadAsync(hub, scraper, collect: true, cancellationToken);

        var connectSeconds = await clients.ConnectAsync(visitors[1..], (_, visitor) => room.SocketUri(hub, visitor), cancellationToken);
        await clients.WaitForFirstPositionsAsync(FirstPositionTimeout, cancellationToken);
        Console.WriteLine($"  connected {sessions:N0} more sockets in {connectSeconds:F1} s; all had their first position; idle for {LoadedSettle.TotalSeconds:F0} s");
        await Task.Delay(LoadedSettle, cancellationToken);
        var loaded = await ReadAsync(hub, scraper, collect: false, cancellationToken);
        var collected = await ReadAsync(hub, scraper, collect: true, cancellationToken);
        var open = (long)(collected.Metrics.Value("sockethub_connections", ("room", room.Name)) ?? 0);
        var peak = hub.PeakResidentBytes();

        Console.WriteLine();
        Console.WriteLine($"{"measure",-44} {"1 session MB",13} {$"{sessions + 1:N0} sessions MB",17} {"bytes/session",14}");
        var json = new JsonObject
        {
            ["sessions"] = sessions,
            ["openInHub"] = open,
            ["forcedGc"] = baseline.Collected && collected.Collected,
            ["rssBaselineBytes"] = baseline.Rss,
            ["rssLoadedBytes"] = loaded.Rss,
            ["rssLoadedAfterGcBytes"] = collected.Rss,
            ["rssPeakBytes"] = peak,
        };
        json["bytesPerSession"] = Row("VmRSS, idle 10 s", baseline.Rss, loaded.Rss, sessions);
        json["bytesPerSessionAfterGc"] = Row("VmRSS, after a full GC", baseline.Rss, collected.Rss, sessions);
        json["managedHeapBytesPerSession"] = Row("managed heap after the last GC (live)", baseline.LiveHeap, collected.LiveHeap, sessions);
        json["pinnedHeapBytesPerSession"] = Row("  of which pinned (POH: socket buffers)", baseline.PinnedHeap, collected.PinnedHeap, sessions);
        json["privateMemoryBytesPerSession"] = Row("process_private_memory_bytes, idle 10 s", baseline.PrivateMemory, loaded.PrivateMemory, sessions);
        json["totalMemoryBytesPerSession"] = Row("dotnet_total_memory_bytes, idle 10 s", baseline.TotalMemory, loaded.TotalMemory, sessions);
        var timers = (collected.Timers - baseline.Timers) / (double)sessions;
        json["timersPerSession"] = Math.Round(timers, 2);

        Console.WriteLine($"hub memory per idle WebSocket session: {json["bytesPerSession"]} bytes RSS ({json["bytesPerSessionAfterGc"]} after a full GC, {json["managedHeapBytesPerSession"]} of live managed heap); {timers:F2} timers per session; peak RSS {peak / 1048576.0:F1} MB; hub counts {open:N0} open sessions");
        if (!baseline.Collected || !collected.Collected)
        {
            Console.WriteLine($"  (no GC could be induced in the hub: {baseline.GcError ?? collected.GcError}; the managed figures include garbage)");
        }

        Console.WriteLine($"wrote {ResultsFile.Write(Name, json)}");
        return open == sessions + 1 && clients.Failed == 0 ? 0 : 1;
    }

    /// <summary>Optionally a full GC first, then RSS and the hub's memory gauges.</summary>
    private static async Task<Reading> ReadAsync(ServiceProcess hub, HttpClient scraper, bool collect, CancellationToken cancellationToken)
    {
        (bool Done, string? Error) gc = (false, null);
        double? gen2Before = null;
        if (collect)
        {
            gen2Before = Gen2Collections(await PrometheusText.ScrapeAsync(scraper, cancellationToken));
            gc = await DiagnosticsIpc.InduceFullGcAsync(hub.Id, cancellationToken);
            await Task.Delay(AfterGc, cancellationToken);
        }

        var rss = hub.ResidentBytes();
        var metrics = await PrometheusText.ScrapeAsync(scraper, cancellationToken);
        if (gc.Done && !(Gen2Collections(metrics) > gen2Before))
        {
            gc = (false, "the diagnostics session was accepted, but the hub counted no gen2 collection");
        }

        var pinned = metrics.Value(HeapSize, ("gc_heap_generation", "poh")) ?? 0;
        var live = (metrics.Sum(HeapSize) ?? 0) - (metrics.Sum(HeapFragmentation) ?? 0);
        return new Reading(
            rss,
            (long)live,
            (long)pinned,
            (long)(metrics.Value("process_private_memory_bytes") ?? 0),
            (long)(metrics.Value("dotnet_total_memory_bytes") ?? 0),
            (long)(metrics.Value("system_runtime_dotnet_timer_count") ?? 0),
            gc.Done,
            gc.Error,
            metrics);
    }

    private static double? Gen2Collections(PrometheusText metrics) =>
        metrics.Value("system_runtime_dotnet_gc_collections", ("gc_heap_generation", "gen2"));

    private static double Row(string name, long before, long after, int sessions)
    {
        var perSession = Math.Round((after - before) / (double)sessions);
        Console.WriteLine($"{name,-44} {before / 1048576.0,13:F1} {after / 1048576.0,17:F1} {perSession,14:F0}");
        return perSession;
    }

    private sealed record Reading(
        long Rss, long LiveHeap, long PinnedHeap, long PrivateMemory, long TotalMemory, long Timers, bool Collected, string? GcError, PrometheusText Metrics);
}
