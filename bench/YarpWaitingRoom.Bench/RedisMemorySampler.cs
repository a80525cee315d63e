using StackExchange.Redis;

namespace YarpWaitingRoom.Bench;

/// <summary>
/// Samples Redis <c>used_memory</c> on a connection of its own at a fixed interval until stopped, keeping the peak: what a
/// long operation on another connection costs at its worst. A script that blocks Redis delays the samples; the first one
/// after it sees what the script left.
/// </summary>
internal sealed class RedisMemorySampler : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _redis;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _peak;
    private int _samples;

    private RedisMemorySampler(ConnectionMultiplexer redis, TimeSpan interval)
    {
        _redis = redis;
        _loop = SampleAsync(RedisInfo.Server(redis), interval, _stop.Token);
    }

    /// <summary>Starts sampling every <paramref name="interval"/>; the first sample is taken at once.</summary>
    public static async Task<RedisMemorySampler> StartAsync(TimeSpan interval) => new(await RedisInfo.ConnectAsync(), interval);

    /// <summary>Stops sampling (after one last sample); returns the highest <c>used_memory</c> seen and how many samples were taken.</summary>
    public async Task<(long PeakBytes, int Samples)> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        return (Interlocked.Read(ref _peak), _samples);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
        await _redis.DisposeAsync();
    }

    private async Task SampleAsync(IServer server, TimeSpan interval, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(interval);
        do
        {
            await TakeAsync(server);
        }
        while (await WaitAsync(timer, stop));

        await TakeAsync(server);
    }

    private async Task TakeAsync(IServer server)
    {
        var used = await RedisInfo.UsedMemoryAsync(server);
        _samples++;
        if (used > _peak)
        {
            Interlocked.Exchange(ref _peak, used);
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stop)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stop);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
