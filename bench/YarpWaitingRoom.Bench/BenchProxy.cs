using StackExchange.Redis;

namespace YarpWaitingRoom.Bench;

/// <summary>
/// A scenario's own proxy (<see cref="ProxyProcess.GatedEnvironment"/>, the room forced Off) in front of the bench's
/// backend stub, on the stack's Redis: the room's keys are removed before (a killed run may have left some) and after;
/// a request or answer that goes wrong prints the proxy's output, and any failure makes the scenario fail (1).
/// </summary>
internal static class BenchProxy
{
    /// <summary>Starts the backend stub and the proxy, runs <paramref name="measure"/> against them, cleans up.</summary>
    public static async Task<int> RunAsync(
        string scenario, string room, Func<ServiceProcess, IServer, Task<int>> measure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(measure);
        await using var backend = await BackendStub.StartAsync(cancellationToken);
        using var redis = await RedisInfo.ConnectAsync();
        var roomKeys = $"{{wr:{room}}}:*";
        await RedisInfo.UnlinkAsync(redis, roomKeys);
        try
        {
            using var proxy = await ProxyProcess.StartAsync(ProxyProcess.GatedEnvironment(room, backend.Url, mode: "Off"), cancellationToken);
            try
            {
                return await measure(proxy, RedisInfo.Server(redis));
            }
            catch (Exception ex) when (ex is HttpRequestException or Errors.UnexpectedAnswerException)
            {
                Console.Error.WriteLine($"{scenario}: {ex.Message}{Environment.NewLine}proxy output:{Environment.NewLine}{proxy.Output}");
                return 1;
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or FileNotFoundException)
        {
            Console.Error.WriteLine($"{scenario}: {ex.Message}");
            return 1;
        }
        finally
        {
            // The room's keys (its places, admissions, traffic counters) go with the proxy.
            await RedisInfo.UnlinkAsync(redis, roomKeys);
        }
    }
}
