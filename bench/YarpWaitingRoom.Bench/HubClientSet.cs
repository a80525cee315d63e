using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using YarpWaitingRoom.Testing.Hub;

namespace YarpWaitingRoom.Bench;

/// <summary>
/// The WebSocket clients of one scenario (<see cref="HubClient"/>s that keep counts, not messages) over one shared
/// <see cref="SocketsHttpHandler"/>: connected with bounded concurrency (three attempts each), closed (bounded in time)
/// and disposed together, with totals over all of them. Given a local address, every socket is bound to it first (another
/// loopback address, 127.0.0.2 and up, has its own ephemeral ports to each hub); given an observer, it sees every message.
/// </summary>
internal sealed class HubClientSet : IAsyncDisposable
{
    /// <summary>
    /// <c>IP_BIND_ADDRESS_NO_PORT</c> (Linux, <c>SOL_IP</c>): a bound socket takes its port at connect, per destination,
    /// instead of at bind, where one port would be unique over every destination.
    /// </summary>
    private const int BindAddressNoPort = 24;

    private const int ConnectConcurrency = 200;
    private const int CloseConcurrency = 500;
    private const int ConnectAttempts = 3;

    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    private readonly List<HubClient> _clients = [];
    private readonly List<Uri> _uris = [];
    private readonly HttpMessageInvoker _invoker;
    private readonly Action<HubClient, HubMessage>? _observer;

    private long _connectRetries;
    private long _closeAnswered;
    private long _closeDropped;
    private long _closeTimedOut;

    public HubClientSet(IPAddress? localAddress = null, Action<HubClient, HubMessage>? observer = null)
    {
        _observer = observer;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        if (localAddress is not null)
        {
            handler.ConnectCallback = (context, cancellationToken) => ConnectFromAsync(localAddress, context.DnsEndPoint, cancellationToken);
        }

        _invoker = new HttpMessageInvoker(handler);
    }

    /// <summary>The clients, in the order of the visitors they were connected for.</summary>
    public IReadOnlyList<HubClient> Clients => _clients;

    public long ConnectRetries => Interlocked.Read(ref _connectRetries);

    public long Positions => Sum(HubMessageKind.Position);

    /// <summary>Clients that received an admitted message.</summary>
    public int AdmittedClients => _clients.Count(c => c.Count(HubMessageKind.Admitted) > 0);

    public long GoneMessages => Sum(HubMessageKind.Gone);

    /// <summary>Messages of a type the protocol does not define, and frames that are not messages.</summary>
    public long UnexpectedMessages => Sum(HubMessageKind.Other) + Sum(HubMessageKind.Invalid);

    /// <summary>Connections a hub closed (close frame) before the bench did.</summary>
    public int ClosedByHub => CountEnds(end => !end.ByClient && end.CloseStatus is not null);

    /// <summary>Connections that failed (ended without a close frame) before the bench closed them.</summary>
    public int Failed => CountEnds(end => !end.ByClient && end.CloseStatus is null);

    /// <summary>Connects one client per visitor to <paramref name="uriOf"/>'s URL; returns the seconds it took.</summary>
    public async Task<double> ConnectAsync(IReadOnlyList<HubVisitor> visitors, Func<int, HubVisitor, Uri> uriOf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(visitors);
        ArgumentNullException.ThrowIfNull(uriOf);
        var clients = visitors.Select(visitor => new HubClient { Ticket = visitor.Ticket, Token = visitor.SignedTicket, Cookie = visitor.Cookie, KeepMessages = false, Observer = _observer }).ToArray();
        _clients.AddRange(clients);
        _uris.AddRange(visitors.Select((visitor, i) => uriOf(i, visitor)));
        var first = _clients.Count - clients.Length;
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(
            Enumerable.Range(0, clients.Length),
            new ParallelOptions { MaxDegreeOfParallelism = ConnectConcurrency, CancellationToken = cancellationToken },
            async (i, ct) => await ConnectAsync(clients[i], _uris[first + i], ct));
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>
    /// Connects again, as a waiting page would, every client whose connection ended before its first position (a hub
    /// that closed it with 1013 while Redis was busy); returns how many.
    /// </summary>
    public async Task<int> ReconnectUngreetedAsync(CancellationToken cancellationToken)
    {
        var lost = Enumerable.Range(0, _clients.Count)
            .Where(i => _clients[i].Count(HubMessageKind.Position) == 0 && _clients[i].Ends.Count > 0 && _clients[i].Socket?.State != WebSocketState.Open)
            .ToArray();
        await Parallel.ForEachAsync(
            lost,
            new ParallelOptions { MaxDegreeOfParallelism = ConnectConcurrency, CancellationToken = cancellationToken },
            async (i, ct) => await ConnectAsync(_clients[i], _uris[i], ct));
        return lost.Length;
    }

    /// <summary>Waits until every client has had its first position message (the one sent on connect).</summary>
    public async Task WaitForFirstPositionsAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(_clients.Select(c => c.WaitForAsync(HubMessageKind.Position, cancellationToken))).WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{_clients.Count(c => c.Count(HubMessageKind.Position) == 0)} of {_clients.Count} clients had no position message after {timeout.TotalSeconds:F0} s");
        }

        var without = _clients.Count(c => c.Count(HubMessageKind.Position) == 0);
        if (without > 0)
        {
            throw new InvalidOperationException($"{without} of {_clients.Count} clients lost their connection before their first position message");
        }
    }

    /// <summary>Closes every socket (close frame, then the hub's answer or the end of the connection, 5 s at most each).</summary>
    public async Task CloseAsync()
    {
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(_clients, new ParallelOptions { MaxDegreeOfParallelism = CloseConcurrency }, async (client, _) =>
        {
            switch (await client.CloseAsync(CloseTimeout))
            {
                case HubCloseOutcome.Answered:
                    Interlocked.Increment(ref _closeAnswered);
                    break;
                case HubCloseOutcome.Dropped:
                    Interlocked.Increment(ref _closeDropped);
                    break;
                case HubCloseOutcome.TimedOut:
                    Interlocked.Increment(ref _closeTimedOut);
                    break;
            }
        });
        Console.WriteLine($"  closed {_clients.Count:N0} sockets in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s: hub answered the close frame {_closeAnswered:N0}, dropped the connection instead {_closeDropped:N0}, no answer in time {_closeTimedOut:N0}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        _invoker.Dispose();
    }

    private async Task ConnectAsync(HubClient client, Uri uri, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await client.ConnectAsync(uri, _invoker, heartbeatEvery: null, cancellationToken);
                return;
            }
            catch (Exception ex) when ((ex is WebSocketException or HttpRequestException) && attempt < ConnectAttempts)
            {
                Interlocked.Increment(ref _connectRetries);
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), cancellationToken);
            }
        }
    }

    /// <summary>A TCP connection to <paramref name="endPoint"/> from <paramref name="localAddress"/> (its port chosen at connect).</summary>
    private static async ValueTask<Stream> ConnectFromAsync(IPAddress localAddress, DnsEndPoint endPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(localAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (OperatingSystem.IsLinux())
            {
                socket.SetRawSocketOption((int)SocketOptionLevel.IP, BindAddressNoPort, BitConverter.GetBytes(1));
            }

            socket.Bind(new IPEndPoint(localAddress, 0));
            await socket.ConnectAsync(endPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private long Sum(HubMessageKind kind) => _clients.Sum(c => (long)c.Count(kind));

    private int CountEnds(Func<HubConnectionEnd, bool> predicate) => _clients.Sum(c => c.Ends.Count(predicate));
}
