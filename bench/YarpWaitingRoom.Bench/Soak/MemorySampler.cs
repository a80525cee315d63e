using System.Globalization;
using StackExchange.Redis;
using YarpWaitingRoom.Bench.Errors;

namespace YarpWaitingRoom.Bench.Soak;

/// <summary>
/// One sample of the local stack's memory, series by series: every process with a pid file under the stack's run
/// directory (its <c>VmRSS</c>: for nginx and PostgreSQL the master process), each .NET service's GC figures from its
/// <c>/metrics</c> and Redis <c>used_memory</c>. For a .NET service: <c>rss anon</c> (the anonymous part of the resident
/// set: what is not mapped code or shared memory), <c>gc heap</c> (the heap after the last collection,
/// summed over generations, as the process runs: under Server GC gen1 and gen2 collect rarely, so it includes promoted
/// garbage), <c>gc committed</c> (memory the GC holds from the OS), <c>metric series</c> (which would climb with label
/// values without bound), <c>jit methods</c> (methods compiled so far: tiered compilation keeps compiling hot methods
/// again long after start, and their code is private memory outside the GC), all read first; then, with <c>fullGc</c>, a full blocking collection is induced through the
/// diagnostics IPC socket (<see cref="DiagnosticsIpc"/>) and <c>gc live</c> is the heap it left (less fragmentation):
/// the objects still referenced, the figure that tells a leak from a lazy GC. A value that cannot be read (a process
/// gone, <c>/metrics</c> not answering, no diagnostics socket) is left out of that sample and counted as a sampling error.
/// </summary>
internal sealed class MemorySampler(ErrorTable errors, bool fullGc) : IAsyncDisposable
{
    public const string HeapAfterGcMetric = "system_runtime_dotnet_gc_last_collection_heap_size";
    public const string FragmentationMetric = "system_runtime_dotnet_gc_last_collection_heap_fragmentation_size";
    public const string GcCommittedMetric = "system_runtime_dotnet_gc_last_collection_memory_committed_size";
    public const string GcCollectionsMetric = "system_runtime_dotnet_gc_collections";
    public const string MetricSeriesMetric = "prometheus_net_metric_timeseries";
    public const string JitMethodsMetric = "system_runtime_dotnet_jit_compiled_methods";

    private static readonly TimeSpan AfterGc = TimeSpan.FromSeconds(1);

    private readonly List<MemorySeries> _series = [];
    private readonly Dictionary<string, MemorySeries> _byName = new(StringComparer.Ordinal);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private ConnectionMultiplexer? _redis;

    /// <summary>Every series in the order first seen (per service: RSS, then its GC figures).</summary>
    public IReadOnlyList<MemorySeries> Series => _series;

    public int Samples { get; private set; }

    public async Task SampleAsync(double at, CancellationToken cancellationToken)
    {
        Samples++;
        var dotnet = StackEndpoints.DotnetServices.ToDictionary(s => s.Name, s => s.Address, StringComparer.Ordinal);
        foreach (var (name, pid) in ProcessMemory.PidFiles(StackEndpoints.RunDirectory))
        {
            if (ProcessMemory.Resident(pid) is { } rss)
            {
                Add($"{name} rss", SeriesUnit.Bytes, at, rss.Total);
                if (rss.Anonymous is { } anonymous && dotnet.ContainsKey(name))
                {
                    Add($"{name} rss anon", SeriesUnit.Bytes, at, anonymous);
                }
            }
            else
            {
                errors.Add($"sample {name} rss", $"no /proc/{pid.ToString(CultureInfo.InvariantCulture)}/status: the process is gone");
            }

            if (dotnet.TryGetValue(name, out var address))
            {
                await SampleDotnetAsync(name, pid, address, at, cancellationToken);
            }
        }

        try
        {
            _redis ??= await RedisInfo.ConnectAsync();
            Add("redis used_memory", SeriesUnit.Bytes, at, await RedisInfo.UsedMemoryAsync(RedisInfo.Server(_redis)));
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            errors.Add("sample redis", ex);
        }
    }

    /// <summary>The latest value of <paramref name="series"/>, formatted; <c>-</c> when there is none.</summary>
    public string Latest(string series) =>
        _byName.TryGetValue(series, out var found) && found.Samples.Count > 0 ? found.Format(found.Last) : "-";

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    private async Task SampleDotnetAsync(string name, int pid, Uri address, double at, CancellationToken cancellationToken)
    {
        try
        {
            var metrics = await ScrapeAsync(address, cancellationToken);
            if (metrics.Sum(HeapAfterGcMetric) is { } heap)
            {
                Add($"{name} gc heap", SeriesUnit.Bytes, at, heap);
            }

            if (metrics.Value(GcCommittedMetric) is { } committed)
            {
                Add($"{name} gc committed", SeriesUnit.Bytes, at, committed);
            }

            if (metrics.Sum(MetricSeriesMetric) is { } series)
            {
                Add($"{name} metric series", SeriesUnit.Count, at, series);
            }

            if (metrics.Value(JitMethodsMetric) is { } jitted)
            {
                Add($"{name} jit methods", SeriesUnit.Count, at, jitted);
            }

            if (!fullGc)
            {
                return;
            }

            var gen2Before = Gen2Collections(metrics);
            var (done, error) = await DiagnosticsIpc.InduceFullGcAsync(pid, cancellationToken);
            if (!done)
            {
                errors.Add($"sample {name} full gc", error ?? "not induced");
                return;
            }

            await Task.Delay(AfterGc, cancellationToken);
            var collected = await ScrapeAsync(address, cancellationToken);
            if (!(Gen2Collections(collected) > gen2Before))
            {
                errors.Add($"sample {name} full gc", "the diagnostics session was accepted, but no gen2 collection was counted");
                return;
            }

            Add($"{name} gc live", SeriesUnit.Bytes, at, (collected.Sum(HeapAfterGcMetric) ?? 0) - (collected.Sum(FragmentationMetric) ?? 0));
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            errors.Add($"sample {name} /metrics", ex);
        }
    }

    private async Task<PrometheusText> ScrapeAsync(Uri address, CancellationToken cancellationToken) =>
        PrometheusText.Parse(await _http.GetStringAsync(new Uri(address, "/metrics"), cancellationToken));

    private static double? Gen2Collections(PrometheusText metrics) =>
        metrics.Value(GcCollectionsMetric, ("gc_heap_generation", "gen2"));

    private void Add(string name, SeriesUnit unit, double at, double value)
    {
        if (!_byName.TryGetValue(name, out var series))
        {
            series = new MemorySeries(name, unit);
            _byName[name] = series;
            _series.Add(series);
        }

        series.Add(at, value);
    }
}
