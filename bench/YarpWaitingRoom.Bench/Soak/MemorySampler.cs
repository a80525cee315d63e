using System.Globalization;
using StackExchange.Redis;
using YarpWaitingRoom.Bench.Errors;

namespace YarpWaitingRoom.Bench.Soak;

/// <summary>
/// One sample of the local stack's memory, series by series: every process with a pid file under the stack's run
/// directory (its <c>VmRSS</c>: for nginx and PostgreSQL the master process), each .NET service's GC figures from its
/// <c>/metrics</c> (heap after the last collection, summed over generations; memory the GC has committed; the number of
/// metric series it exports, which would show label values without bound) and Redis <c>used_memory</c>. A value that
/// cannot be read (a process gone, <c>/metrics</c> not answering) is left out of that sample and counted as a sampling error.
/// </summary>
internal sealed class MemorySampler(ErrorTable errors) : IAsyncDisposable
{
    public const string HeapAfterGcMetric = "system_runtime_dotnet_gc_last_collection_heap_size";
    public const string GcCommittedMetric = "system_runtime_dotnet_gc_last_collection_memory_committed_size";
    public const string MetricSeriesMetric = "prometheus_net_metric_timeseries";

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
            if (ProcessMemory.ResidentBytes(pid) is { } rss)
            {
                Add($"{name} rss", SeriesUnit.Bytes, at, rss);
            }
            else
            {
                errors.Add($"sample {name} rss", $"no /proc/{pid.ToString(CultureInfo.InvariantCulture)}/status: the process is gone");
            }

            if (dotnet.TryGetValue(name, out var address))
            {
                await SampleDotnetAsync(name, address, at, cancellationToken);
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

    private async Task SampleDotnetAsync(string name, Uri address, double at, CancellationToken cancellationToken)
    {
        try
        {
            var metrics = PrometheusText.Parse(await _http.GetStringAsync(new Uri(address, "/metrics"), cancellationToken));
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
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            errors.Add($"sample {name} /metrics", ex);
        }
    }

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
