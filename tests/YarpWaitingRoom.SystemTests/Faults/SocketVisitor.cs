using System.Net.WebSockets;
using System.Text.Json;

namespace YarpWaitingRoom.SystemTests.Faults;

/// <summary>
/// A waiting visitor whose socket behaves like the waiting page's (<c>wait.js</c>): heartbeats, reconnects after a drop
/// with exponential backoff and full jitter (1 s base, reset by a connection that lasted), and at once (within a 2-s
/// spread) when the hub hands it back with 1012. It stops once admitted, as the page does when it follows the link.
/// </summary>
internal sealed class SocketVisitor : IAsyncDisposable
{
    private static readonly TimeSpan BackoffBase = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan BackoffCap = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StableAfter = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan HandoverSpread = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan HeartbeatEvery = TimeSpan.FromSeconds(5);

    private readonly Uri _socketUri;
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;
    private int _admitted;
    private int _live;

    /// <summary>This visitor's own address (as on the internet: per-address limits apply to each visitor).</summary>
    private readonly System.Net.IPAddress _address = SourceAddresses.Next();

    private readonly string _cookie;

    private SocketVisitor(Uri edge, string ticketToken, string ticketId, string cookie)
    {
        TicketToken = ticketToken;
        TicketId = ticketId;
        _cookie = cookie;
        _socketUri = new UriBuilder(edge) { Scheme = "ws", Path = "/ws", Query = $"room={FaultTopology.Room}&t={Uri.EscapeDataString(ticketToken)}" }.Uri;
    }

    public string TicketToken { get; }

    public string TicketId { get; }

    /// <summary>A socket is open and the hub greeted it (first message received).</summary>
    public bool IsLive => Volatile.Read(ref _live) == 1;

    /// <summary>Admission notices received (exactly once is the rule).</summary>
    public int Admissions => Volatile.Read(ref _admitted);

    /// <summary>Connections lost after a greeting (hub killed, handed back).</summary>
    public int Drops { get; private set; }

    /// <summary><c>gone</c> messages received, with their reasons.</summary>
    public List<string> Gone { get; } = [];

    /// <summary>Close codes the hubs sent.</summary>
    public List<int> CloseCodes { get; } = [];

    /// <summary>Joins the room through the edge as an API client (the queue must be on): a new visitor, a new place.</summary>
    public static async Task<SocketVisitor> JoinAsync(HttpClient edge, CancellationToken cancellationToken)
    {
        var ticket = await QueueTicket.JoinAsync(edge, cancellationToken);
        return new SocketVisitor(edge.BaseAddress!, ticket.Token, ticket.Id, ticket.CookieHeader);
    }

    public void Start() => _run = Task.Run(RunAsync);

    private async Task RunAsync()
    {
        var failures = 0;
        while (!_stop.IsCancellationRequested && Admissions == 0 && Gone.Count == 0)
        {
            var opened = DateTime.UtcNow;
            var (greeted, closeCode) = await ConnectOnceAsync();
            Volatile.Write(ref _live, 0);
            if (_stop.IsCancellationRequested || Admissions > 0 || Gone.Count > 0)
            {
                return;
            }

            if (greeted)
            {
                Drops++;
            }

            TimeSpan delay;
            if (greeted && closeCode is 1012 or 1001)
            {
                failures = 0;
                delay = HandoverSpread * Random.Shared.NextDouble();
            }
            else
            {
                failures = greeted && DateTime.UtcNow - opened >= StableAfter ? 0 : failures + 1;
                var ceiling = Math.Min(BackoffCap.TotalMilliseconds, BackoffBase.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 16)));
                delay = TimeSpan.FromMilliseconds(ceiling * Random.Shared.NextDouble());
            }

            try
            {
                await Task.Delay(delay, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One connection, until it ends; returns whether the hub greeted it and the close code it sent.</summary>
    private async Task<(bool Greeted, int? CloseCode)> ConnectOnceAsync()
    {
        using var socket = new ClientWebSocket();
        using var invoker = new HttpMessageInvoker(SourceAddresses.From(_address));
        if (_cookie.Length > 0)
        {
            // The joining browser's wr_vid: the hubs give the entry link (and count the delivery) only with it.
            socket.Options.SetRequestHeader("Cookie", _cookie);
        }

        var greeted = false;
        using var heartbeats = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        Task beating = Task.CompletedTask;
        try
        {
            using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
            {
                connectTimeout.CancelAfter(TimeSpan.FromSeconds(10));
                await socket.ConnectAsync(_socketUri, invoker, connectTimeout.Token);
            }

            beating = HeartbeatAsync(socket, heartbeats.Token);
            var buffer = new byte[8192];
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(length), _stop.Token);
                    length += result.Count;
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    var code = (int?)socket.CloseStatus;
                    lock (CloseCodes)
                    {
                        CloseCodes.Add(code ?? 0);
                    }

                    return (greeted, code);
                }

                greeted = true;
                Volatile.Write(ref _live, 1);
                var message = JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement;
                switch (message.GetProperty("type").GetString())
                {
                    case "admitted":
                        Interlocked.Increment(ref _admitted);
                        return (greeted, null);
                    case "gone":
                        lock (Gone)
                        {
                            Gone.Add(message.GetProperty("reason").GetString() ?? string.Empty);
                        }

                        return (greeted, null);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or HttpRequestException)
        {
            return (greeted, null);
        }
        finally
        {
            await heartbeats.CancelAsync();
            await beating.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static async Task HeartbeatAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested && socket.State == WebSocketState.Open)
            {
                await socket.SendAsync("{\"type\":\"heartbeat\"}"u8.ToArray(), WebSocketMessageType.Text, true, cancellationToken);
                await Task.Delay(HeartbeatEvery, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
