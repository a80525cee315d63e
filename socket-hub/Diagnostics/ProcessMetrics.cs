using System.Diagnostics;
using System.Globalization;
using Prometheus;

namespace YarpWaitingRoom.SocketHub.Diagnostics;

/// <summary>
/// prometheus-net's process metrics (same names and meanings) less <c>process_open_handles</c>: on Linux that one is
/// <see cref="Process.HandleCount"/>, which lists <c>/proc/self/fd</c> and stats every entry, that is every socket, on
/// each scrape (at 10,000 sockets tens of milliseconds of CPU per scrape, a string per socket). The hub counts its
/// sockets itself (<c>sockethub_connections</c>).
/// </summary>
internal static class ProcessMetrics
{
    private static int _registered;

    /// <summary>
    /// Adds the metrics to <paramref name="registry"/>, read from the process before each scrape; once per process (the
    /// default registry is the process's, and a test process hosts many hubs).
    /// </summary>
    public static void Register(CollectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        if (Interlocked.Exchange(ref _registered, 1) == 1)
        {
            return;
        }

        var factory = Metrics.WithCustomRegistry(registry);
        var process = Process.GetCurrentProcess();
        var collections = factory.CreateCounter("dotnet_collection_count_total", "GC collection count", "generation");
        var totalMemory = factory.CreateGauge("dotnet_total_memory_bytes", "Total known allocated memory");
        var start = factory.CreateGauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.");
        var cpu = factory.CreateCounter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.");
        var virtualMemory = factory.CreateGauge("process_virtual_memory_bytes", "Virtual memory size in bytes.");
        var workingSet = factory.CreateGauge("process_working_set_bytes", "Process working set");
        var privateMemory = factory.CreateGauge("process_private_memory_bytes", "Process private memory size");
        var threads = factory.CreateGauge("process_num_threads", "Total number of threads");

        var generations = new Counter.Child[GC.MaxGeneration + 1];
        for (var generation = 0; generation < generations.Length; generation++)
        {
            generations[generation] = collections.WithLabels(generation.ToString(CultureInfo.InvariantCulture));
        }

        start.Set((process.StartTime.ToUniversalTime() - DateTime.UnixEpoch).TotalSeconds);
        registry.AddBeforeCollectCallback(() =>
        {
            process.Refresh();
            for (var generation = 0; generation < generations.Length; generation++)
            {
                generations[generation].IncTo(GC.CollectionCount(generation));
            }

            totalMemory.Set(GC.GetTotalMemory(forceFullCollection: false));
            cpu.IncTo(process.TotalProcessorTime.TotalSeconds);
            virtualMemory.Set(process.VirtualMemorySize64);
            workingSet.Set(process.WorkingSet64);
            privateMemory.Set(process.PrivateMemorySize64);
            threads.Set(process.Threads.Count);
        });
    }
}
