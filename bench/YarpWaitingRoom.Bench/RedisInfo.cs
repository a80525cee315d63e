using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

namespace YarpWaitingRoom.Bench;

/// <summary>Figures from Redis <c>INFO</c>: command counts and times (<c>commandstats</c>) and memory.</summary>
internal static class RedisInfo
{
    /// <summary>
    /// Commands one snapshot adds to the next one: Redis counts an INFO after replying, so a snapshot sees every earlier
    /// INFO but not itself.
    /// </summary>
    public const long CommandsPerSnapshot = 1;

    private static readonly TimeSpan PersistenceWait = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Connects with <c>allowAdmin</c> (INFO, SCAN) to the stack's Redis.</summary>
    public static Task<ConnectionMultiplexer> ConnectAsync() =>
        ConnectionMultiplexer.ConnectAsync($"{StackEndpoints.Redis},allowAdmin=true");

    public static IServer Server(IConnectionMultiplexer redis)
    {
        ArgumentNullException.ThrowIfNull(redis);
        return redis.GetServer(redis.GetEndPoints()[0]);
    }

    /// <summary><c>INFO commandstats</c>: command → (calls, usec).</summary>
    public static async Task<CommandStats> CommandStatsAsync(IServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var stats = new Dictionary<string, (long Calls, long Micros)>(StringComparer.Ordinal);
        foreach (var line in Lines(await server.InfoRawAsync("commandstats")))
        {
            // cmdstat_get:calls=1,usec=4,usec_per_call=4.00,rejected_calls=0,failed_calls=0
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (!line.StartsWith("cmdstat_", StringComparison.Ordinal) || colon < 0)
            {
                continue;
            }

            long calls = 0, micros = 0;
            foreach (var pair in line[(colon + 1)..].Split(','))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                switch (equals < 0 ? string.Empty : pair[..equals])
                {
                    case "calls":
                        calls = long.Parse(pair[(equals + 1)..], CultureInfo.InvariantCulture);
                        break;
                    case "usec":
                        micros = long.Parse(pair[(equals + 1)..], CultureInfo.InvariantCulture);
                        break;
                }
            }

            stats[line["cmdstat_".Length..colon]] = (calls, micros);
        }

        return new CommandStats(stats);
    }

    /// <summary><c>used_memory</c> from <c>INFO memory</c>, in bytes.</summary>
    public static async Task<long> UsedMemoryAsync(IServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        foreach (var line in Lines(await server.InfoRawAsync("memory")))
        {
            if (line.StartsWith("used_memory:", StringComparison.Ordinal))
            {
                return long.Parse(line["used_memory:".Length..], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException("INFO memory has no used_memory.");
    }

    /// <summary>
    /// CPU time of Redis's main thread (<c>used_cpu_user_main_thread</c> + <c>used_cpu_sys_main_thread</c> of
    /// <c>INFO cpu</c>), in microseconds: unlike a command's wall time, it leaves out the time the thread waited for a CPU
    /// on a busy machine.
    /// </summary>
    public static async Task<long> MainThreadCpuMicrosAsync(IServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        double seconds = 0;
        foreach (var line in Lines(await server.InfoRawAsync("cpu")))
        {
            if (line.StartsWith("used_cpu_user_main_thread:", StringComparison.Ordinal) || line.StartsWith("used_cpu_sys_main_thread:", StringComparison.Ordinal))
            {
                seconds += double.Parse(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return (long)Math.Round(seconds * 1_000_000);
    }

    /// <summary>CPU time of the whole Redis process (<c>used_cpu_sys</c> + <c>used_cpu_user</c> of <c>INFO cpu</c>), in seconds.</summary>
    public static async Task<double> CpuSecondsAsync(IServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        double seconds = 0;
        foreach (var line in Lines(await server.InfoRawAsync("cpu")))
        {
            if (line.StartsWith("used_cpu_sys:", StringComparison.Ordinal) || line.StartsWith("used_cpu_user:", StringComparison.Ordinal))
            {
                seconds += double.Parse(line.AsSpan(line.IndexOf(':', StringComparison.Ordinal) + 1), CultureInfo.InvariantCulture);
            }
        }

        return seconds;
    }

    /// <summary>Waits (up to a minute) until no AOF rewrite or RDB save runs: a fork in progress skews timings.</summary>
    public static async Task WaitForPersistenceAsync(IServer server, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        var deadline = Stopwatch.GetTimestamp() + (long)(PersistenceWait.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline
            && Lines(await server.InfoRawAsync("persistence")).Any(line => line is "aof_rewrite_in_progress:1" or "rdb_bgsave_in_progress:1"))
        {
            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    /// <summary>Unlinks every key matching <paramref name="pattern"/> (SCAN, never KEYS); returns how many.</summary>
    public static async Task<long> UnlinkAsync(IConnectionMultiplexer redis, string pattern)
    {
        ArgumentNullException.ThrowIfNull(redis);
        var keys = new List<RedisKey>();
        await foreach (var key in Server(redis).KeysAsync(pattern: pattern, pageSize: 1000))
        {
            keys.Add(key);
        }

        var db = redis.GetDatabase();
        long removed = 0;
        foreach (var chunk in keys.Chunk(1000))
        {
            removed += (long)await db.ExecuteAsync("UNLINK", chunk.Select(key => (object)key).ToArray());
        }

        return removed;
    }

    private static string[] Lines(string? info) =>
        (info ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
