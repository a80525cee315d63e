using System.Globalization;
using System.Net.Http.Json;
using StackExchange.Redis;
using YarpWaitingRoom.Testing;
using YarpWaitingRoom.Testing.Hub;

namespace YarpWaitingRoom.SystemTests;

/// <summary>The whole stack on a real Redis Cluster (<see cref="ClusterTopology"/>): two rooms on different masters.</summary>
public sealed class ClusterTests(ClusterTopology stack) : IClassFixture<ClusterTopology>, IAsyncDisposable
{
    /// <summary>A failed test's output gets what the stack logged.</summary>
    public ValueTask DisposeAsync() => stack.Stack.ExplainFailureAsync();

    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TwoRoomsOnDifferentMasters_JoinAdmitNotifyOnBothHubsOverShardedChannels_ReapAndSwitchOnBothProxies()
    {
        // The rooms' hash tags hash to slots that different masters serve (CLUSTER KEYSLOT, CLUSTER NODES).
        var masters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (room, _) in ClusterTopology.Rooms)
        {
            masters[room] = await MasterOfAsync(RoomKey(room, "waiting"));
        }

        Assert.NotEqual(masters["concert"], masters["festival"]);

        // Both proxies applied the configured mode (paused: places are kept, no one is admitted yet).
        await ModeOnEveryProxyAsync("Paused");

        // Per room: two visitors join through the edge and wait on sockets through the edge (nginx gives each new socket
        // to the hub holding fewer), heartbeating; a third joins and is never heard from again.
        var visitors = new List<(string Room, Visitor Visitor)>();
        var silent = new Dictionary<string, QueueTicket>(StringComparer.Ordinal);
        try
        {
            foreach (var (room, path) in ClusterTopology.Rooms)
            {
                for (var i = 0; i < ClusterTopology.MaxActive; i++)
                {
                    var visitor = await Visitor.JoinAsync(stack.Edge, room, path);
                    visitors.Add((room, visitor));
                    await visitor.ConnectAsync(stack.Edge);
                }

                using var edge = new HttpClient { BaseAddress = stack.Edge };
                silent[room] = await QueueTicket.JoinAsync(edge, path, Cancellation);
            }

            // Each room has a socket on each hub.
            foreach (var (room, _) in ClusterTopology.Rooms)
            {
                foreach (var (hub, address) in stack.Hubs)
                {
                    await UntilAsync(async () => await MetricAsync(address, "sockethub_connections", $"room=\"{room}\"") == 1, $"{hub} holds one socket of {room}");
                }
            }

            // The switch: the queue on through the edge's admin API; both proxies apply it.
            foreach (var (room, _) in ClusterTopology.Rooms)
            {
                await SetModeAsync(room, "On");
            }

            await ModeOnEveryProxyAsync("On");

            // Admission: the first MaxActive of each room, each told once over the room's sharded channel (positions are
            // pushed every 5 minutes; the sockets were open before the batch, so no connect delivered it).
            foreach (var (room, visitor) in visitors)
            {
                HubMessage? notice = null;
                try
                {
                    notice = await visitor.Socket.WaitForAsync(HubMessageKind.Admitted, Cancellation).WaitAsync(Within, Cancellation);
                }
                catch (TimeoutException)
                {
                    Assert.Fail($"{room}: {visitor.Socket.Ticket} got no admission notice within {Within.TotalSeconds:F0} s (the sharded channel delivered none)");
                }

                Assert.True(notice?.EnterUrl is not null, $"{room}: {visitor.Socket.Ticket} got no entry link ({visitor.Socket.CloseStatus?.ToString() ?? "open"})");
                Assert.Equal(1, visitor.Socket.Count(HubMessageKind.Admitted));
            }

            foreach (var (room, _) in ClusterTopology.Rooms)
            {
                var admitted = (await EventsAsync(room)).Where(e => e["type"] == "admitted").SelectMany(e => e["tickets"].Split(',')).ToList();
                Assert.Equal(visitors.Where(v => v.Room == room).Select(v => v.Visitor.Socket.Ticket).Order(StringComparer.Ordinal), admitted.Order(StringComparer.Ordinal));
                foreach (var (hub, address) in stack.Hubs)
                {
                    Assert.Equal(1, await MetricAsync(address, "sockethub_admission_notices_total", $"room=\"{room}\""));
                }
            }

            // The reaper: the silent visitor's place is given up after AbandonAfter; the heartbeating ones keep theirs.
            foreach (var (room, _) in ClusterTopology.Rooms)
            {
                var ticket = silent[room].Id;
                await UntilAsync(async () => (await EventsAsync(room)).Any(e => e["type"] == "abandoned" && e["ticket"] == ticket), $"{room}: {ticket} reaped");
                Assert.True(YarpWaitingRoom.Queue.TicketIds.TryParse(ticket, out var visitor, out _), ticket);
                Assert.Null(await stack.Redis.SortedSetRankAsync(RoomKey(room, "waiting"), visitor));
                Assert.DoesNotContain(
                    await EventsAsync(room),
                    e => e["type"] == "abandoned" && visitors.Any(v => v.Visitor.Socket.Ticket == e["ticket"]));
            }

            // The backends' consumer group follows both rooms' streams, each on its own master: the abandonment was read.
            foreach (var (room, _) in ClusterTopology.Rooms)
            {
                var ticket = silent[room].Id;
                var abandoned = (await EventsAsync(room)).Single(e => e["type"] == "abandoned" && e["ticket"] == ticket)["id"];
                await UntilAsync(
                    async () => (await stack.Redis.StreamGroupInfoAsync(RoomKey(room, "events"))).Any(g => g.Name == "reservation" && CompareIds(g.LastDeliveredId, abandoned) >= 0),
                    $"{room}: the backends' consumer group read the abandonment {abandoned}");
            }

            // The switch back: the queue off; both proxies apply it.
            foreach (var (room, _) in ClusterTopology.Rooms)
            {
                await SetModeAsync(room, "Off");
            }

            await ModeOnEveryProxyAsync("Off");
        }
        finally
        {
            foreach (var (_, visitor) in visitors)
            {
                await visitor.DisposeAsync();
            }
        }
    }

    private static string RoomKey(string room, string key) => $"{{wr:{room}}}:{key}";

    /// <summary>The address of the master serving <paramref name="key"/>'s slot, per CLUSTER KEYSLOT and CLUSTER NODES.</summary>
    private async Task<string> MasterOfAsync(string key)
    {
        var port = stack.Stack.RedisClusterNodes[0].Port.ToString(CultureInfo.InvariantCulture);
        var slot = int.Parse(
            (await ExternalProcess.RunAsync("redis-cli", ["-p", port, "CLUSTER", "KEYSLOT", key], TimeSpan.FromSeconds(10), cancellationToken: Cancellation))
                .EnsureSuccess("CLUSTER KEYSLOT").Output.Trim(),
            CultureInfo.InvariantCulture);
        var nodes = (await ExternalProcess.RunAsync("redis-cli", ["-p", port, "CLUSTER", "NODES"], TimeSpan.FromSeconds(10), cancellationToken: Cancellation))
            .EnsureSuccess("CLUSTER NODES").Output;
        // <id> <ip:port@bus> <flags> <master> <ping> <pong> <epoch> <link> <slot or range>...
        foreach (var fields in nodes.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Trim().Split(' ')))
        {
            if (!fields[2].Split(',').Contains("master"))
            {
                continue;
            }

            foreach (var range in fields.Skip(8).Where(f => !f.StartsWith('[')).Select(f => f.Split('-')))
            {
                var first = int.Parse(range[0], CultureInfo.InvariantCulture);
                var last = range.Length > 1 ? int.Parse(range[1], CultureInfo.InvariantCulture) : first;
                if (slot >= first && slot <= last)
                {
                    return fields[1].Split('@')[0];
                }
            }
        }

        throw new InvalidOperationException($"no master serves slot {slot}:{Environment.NewLine}{nodes}");
    }

    private async Task SetModeAsync(string room, string mode)
    {
        using var admin = new HttpClient { BaseAddress = stack.Edge };
        admin.DefaultRequestHeaders.Add("X-WaitingRoom-Admin-Key", StackRun.AdminKey);
        using var response = await admin.PutAsJsonAsync($"/_wr/admin/rooms/{room}/mode", new { mode }, Cancellation);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Every proxy reports <paramref name="mode"/> for every room (its own state, from its /metrics).</summary>
    private async Task ModeOnEveryProxyAsync(string mode)
    {
        foreach (var (room, _) in ClusterTopology.Rooms)
        {
            foreach (var (proxy, address) in stack.Proxies)
            {
                await UntilAsync(async () => await MetricAsync(address, "waitingroom_mode", $"room=\"{room}\",mode=\"{mode}\"") == 1, $"{proxy} has {room} {mode}");
            }
        }
    }

    /// <summary>A series' value on one service's /metrics (0 when absent).</summary>
    private static async Task<double> MetricAsync(Uri service, string name, string labels)
    {
        using var http = new HttpClient { BaseAddress = service };
        var prefix = name + "{" + labels + "} ";
        var line = (await http.GetStringAsync("/metrics", Cancellation)).Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[prefix.Length..], CultureInfo.InvariantCulture);
    }

    /// <summary>The room's event stream, each entry's fields with its id under <c>id</c>.</summary>
    private async Task<List<Dictionary<string, string>>> EventsAsync(string room)
    {
        var entries = new List<Dictionary<string, string>>();
        foreach (var entry in await stack.Redis.StreamRangeAsync(RoomKey(room, "events")))
        {
            var fields = entry.Values.ToDictionary(v => (string)v.Name!, v => (string?)v.Value ?? string.Empty, StringComparer.Ordinal);
            fields["id"] = entry.Id!;
            fields.TryAdd("ticket", string.Empty);
            fields.TryAdd("tickets", string.Empty);
            entries.Add(fields);
        }

        return entries;
    }

    private static int CompareIds(RedisValue a, string b)
    {
        static (long, long) Parse(string id) => (long.Parse(id.Split('-')[0], CultureInfo.InvariantCulture), long.Parse(id.Split('-')[1], CultureInfo.InvariantCulture));
        return ((string?)a ?? "0-0") == b ? 0 : Parse((string?)a ?? "0-0").CompareTo(Parse(b));
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Within;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within {Within.TotalSeconds:F0} s: {what}");
            await Task.Delay(200, Cancellation);
        }
    }

    /// <summary>A visitor of one room with a place taken through the edge and (once connected) a heartbeating socket.</summary>
    private sealed class Visitor : IAsyncDisposable
    {
        private readonly string _room;

        private Visitor(string room, QueueTicket ticket)
        {
            _room = room;
            Socket = new HubClient { Ticket = ticket.Id, Token = ticket.Token, Cookie = ticket.CookieHeader };
        }

        public HubClient Socket { get; }

        public static async Task<Visitor> JoinAsync(Uri edge, string room, string path)
        {
            using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = edge };
            return new Visitor(room, await QueueTicket.JoinAsync(http, path, Cancellation));
        }

        /// <summary>Opens the socket and waits for the hub's greeting (so the edge counts it before the next one opens).</summary>
        public async Task ConnectAsync(Uri edge)
        {
            await Socket.ConnectAsync(HubClient.SocketUri(edge, _room, Socket.Token), invoker: null, TimeSpan.FromSeconds(1), Cancellation);
            await UntilAsync(() => Task.FromResult(Socket.IsLive), $"{_room}: the hub greeted {Socket.Ticket}");
        }

        public ValueTask DisposeAsync() => Socket.DisposeAsync();
    }
}
