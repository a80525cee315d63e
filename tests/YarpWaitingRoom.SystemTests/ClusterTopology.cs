using System.Globalization;
using StackExchange.Redis;

namespace YarpWaitingRoom.SystemTests;

/// <summary>
/// The whole stack on a real three-master Redis Cluster (<c>STACK_REDIS_CLUSTER=3</c>) with two rooms whose hash tags
/// fall on different masters: <c>concert</c> (the reservation API at <c>/api</c>; <c>{wr:concert}</c> is slot 15405, the
/// third master's range) and <c>festival</c> (the same API at <c>/festival/api</c>; <c>{wr:festival}</c> is slot 1456,
/// the first master's). Both start paused, admit two at a time every second once on, and give a silent visitor up after
/// 4 s; the hubs push positions every 5 minutes (the first push tick comes long after the test), so an admission notice
/// to an open socket can only come over the room's sharded channel. The backends follow both rooms' event streams.
/// </summary>
public sealed class ClusterTopology : IAsyncLifetime
{
    public const int Masters = 3;

    public const int MaxActive = 2;

    public static readonly TimeSpan AbandonAfter = TimeSpan.FromSeconds(4);

    /// <summary>Each room and the gated path of its route.</summary>
    public static readonly IReadOnlyList<(string Room, string Path)> Rooms = [("concert", "/api/concerts"), ("festival", "/festival/api/concerts")];

    private ConnectionMultiplexer? _redis;

    public StackRun Stack { get; } = StackRun.Create(Settings(), Masters);

    public Uri Edge => Stack.Edge;

    /// <summary>The test's own client of the cluster (it learns the slot map from any node).</summary>
    public IDatabase Redis => _redis!.GetDatabase();

    public IReadOnlyList<(string Name, Uri Address)> Proxies => [Service("proxy-a", "STACK_PROXY_A_PORT"), Service("proxy-b", "STACK_PROXY_B_PORT")];

    public IReadOnlyList<(string Name, Uri Address)> Hubs => [Service("hub-a", "STACK_HUB_A_PORT"), Service("hub-b", "STACK_HUB_B_PORT")];

    public async ValueTask InitializeAsync()
    {
        var up = await Stack.UpAsync(TestContext.Current.CancellationToken);
        if (up.ExitCode != 0)
        {
            throw new InvalidOperationException("./stack up failed:\n" + up.Output);
        }

        if (!up.Output.Contains("running on a Redis Cluster of 3 masters", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("./stack up did not say it runs on a Redis Cluster:\n" + up.Output);
        }

        _redis = await ConnectionMultiplexer.ConnectAsync(Stack.RedisConnectionString + ",abortConnect=false");
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        await Stack.DisposeAsync();
    }

    private (string Name, Uri Address) Service(string name, string portVariable) =>
        (name, new Uri($"http://127.0.0.1:{Stack.Ports[portVariable].ToString(CultureInfo.InvariantCulture)}"));

    private static Dictionary<string, string?> Settings()
    {
        var settings = new Dictionary<string, string?>
        {
            ["ReverseProxy__Routes__festivalapi__ClusterId"] = "reservation",
            ["ReverseProxy__Routes__festivalapi__Match__Path"] = "/festival/{**catch-all}",
            ["ReverseProxy__Routes__festivalapi__Metadata__WaitingRoom"] = "festival",
            ["ReverseProxy__Routes__festivalapi__Transforms__0__PathRemovePrefix"] = "/festival",
            // concert is the backends' first room (appsettings.json); festival the second.
            ["Reservation__WaitingRoomEvents__Rooms__1"] = "festival",
            // The first push tick comes 5 min after a hub started, long after this test: a notice can only come over the channel.
            // The test's sockets live seconds, well inside the edge's 75-s read timeout for a silent hub.
            ["SocketHub__PushInterval"] = "00:05:00",
        };
        foreach (var (room, _) in Rooms)
        {
            settings[$"WaitingRoom__Rooms__{room}__Mode"] = "Paused";
            settings[$"WaitingRoom__Rooms__{room}__MaxActive"] = MaxActive.ToString(CultureInfo.InvariantCulture);
            settings[$"WaitingRoom__Rooms__{room}__AdmitInterval"] = "00:00:01";
            settings[$"WaitingRoom__Rooms__{room}__HeartbeatInterval"] = "00:00:01";
            settings[$"WaitingRoom__Rooms__{room}__AbandonAfter"] = AbandonAfter.ToString("c", CultureInfo.InvariantCulture);
        }

        foreach (var (name, value) in StackRun.FunctionalRedisBudget)
        {
            settings[name] = value;
        }

        return settings;
    }
}
