using System.Diagnostics;

namespace YarpWaitingRoom.Bench;

/// <summary>
/// Closed-loop load: <c>concurrency</c> workers each run <c>operation</c> back to back for <c>duration</c>.
/// The operation returns whether it succeeded; its latency is recorded either way.
/// </summary>
internal static class LoadRunner
{
    public delegate Task<bool> Operation(int worker, long iteration, CancellationToken cancellationToken);

    public static async Task<LoadResult> RunAsync(string target, int concurrency, TimeSpan duration, Operation operation, CancellationToken cancellationToken)
    {
        var latencies = new LatencyRecorder(concurrency);
        long succeeded = 0;
        long failed = 0;
        var started = Stopwatch.GetTimestamp();
        var stopAt = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);

        var workers = Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            for (long iteration = 0; Stopwatch.GetTimestamp() < stopAt && !cancellationToken.IsCancellationRequested; iteration++)
            {
                var begin = Stopwatch.GetTimestamp();
                bool ok;
                try
                {
                    ok = await operation(worker, iteration, cancellationToken);
                }
                catch (HttpRequestException)
                {
                    ok = false;
                }

                latencies.Record(worker, Stopwatch.GetTimestamp() - begin);
                if (ok)
                {
                    Interlocked.Increment(ref succeeded);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }, cancellationToken)).ToArray();
        await Task.WhenAll(workers);

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var sorted = latencies.Sorted();
        return new LoadResult(
            target,
            concurrency,
            seconds,
            succeeded,
            failed,
            LatencyRecorder.PercentileMs(sorted, 50),
            LatencyRecorder.PercentileMs(sorted, 95),
            LatencyRecorder.PercentileMs(sorted, 99));
    }

    public static HttpClient CreateClient(Uri baseAddress, int concurrency) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = concurrency,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        UseCookies = false,
    })
    {
        BaseAddress = baseAddress,
        Timeout = TimeSpan.FromSeconds(30),
    };
}
