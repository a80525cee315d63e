using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Numerics;
using System.Text;
using YarpWaitingRoom.Protocol;

namespace YarpWaitingRoom.Testing.Hub;

/// <summary>
/// A waiting visitor's WebSocket to a socket hub (<c>/ws?room=…&amp;t=…</c>): the one client of the hub protocol that the
/// hub tests, the system tests and the bench share. It reads every frame and parses it once (<see cref="HubMessage"/>),
/// counts what it received over all its connections, keeps how each connection ended, heartbeats when asked, and can
/// keep itself connected as the waiting page does (<see cref="RunAsync"/>). One connection at a time; after one ended
/// (a lost network, a hub that went away) the client may connect again, to the same hub or another.
/// </summary>
/// <remarks>
/// The bench holds 10,000 of these at once: a client keeps counts and the first and last message of each kind, a 1-KiB
/// receive buffer that grows only for a larger message, and every message only when <see cref="KeepMessages"/>.
/// </remarks>
public sealed class HubClient : IAsyncDisposable
{
    /// <summary>The largest frame read whole (the hub's are well under 1 KiB); a larger one is <see cref="HubMessageKind.Invalid"/>.</summary>
    public const int MaxMessageBytes = 64 * 1024;

    private const int FirstBufferBytes = 1024;
    private const int OversizedTextBytes = 256;
    private const int Kinds = 8;

    private static readonly TimeSpan CloseAnswerTimeout = TimeSpan.FromSeconds(2);

    private static readonly ReadOnlyMemory<byte> HeartbeatFrame = "{\"type\":\"heartbeat\"}"u8.ToArray();

    private readonly Lock _gate = new();
    private readonly int[] _counts = new int[Kinds];
    private readonly HubMessage?[] _first = new HubMessage?[Kinds];
    private readonly HubMessage?[] _last = new HubMessage?[Kinds];
    private ConcurrentQueue<HubMessage>? _messages;
    private List<HubConnectionEnd>? _ends;
    private List<TaskCompletionSource<HubMessage?>>? _waiters;
    private List<HubMessageKind>? _waitingFor;
    private Connection? _connection;
    private bool _disposed;

    /// <summary>The signed ticket this client waits with (what <c>t=</c> carries), when the caller knows it; empty otherwise.</summary>
    public string Token { get; init; } = string.Empty;

    /// <summary>The ticket id inside <see cref="Token"/>, when the caller knows it (bookkeeping only); empty otherwise.</summary>
    public string Ticket { get; init; } = string.Empty;

    /// <summary>The <c>Cookie</c> header of the upgrade (the visitor's <c>wr_vid</c>: the hubs give the entry link only with it).</summary>
    public string? Cookie { get; init; }

    /// <summary>The <c>Origin</c> header of the upgrade (the page a browser opened it from); none when null.</summary>
    public string? Origin { get; init; }

    /// <summary>Whether <see cref="Messages"/> keeps every message (true); the bench's thousands of clients keep counts only.</summary>
    public bool KeepMessages { get; init; } = true;

    /// <summary>
    /// Called with every message as it is received (on the receiving loop: keep it short), after the counts took it;
    /// the bench's scale rehearsal keeps each receipt time this way.
    /// </summary>
    public Action<HubClient, HubMessage>? Observer { get; init; }

    /// <summary>The current (or last) connection's socket; null before the first.</summary>
    public WebSocket? Socket => _connection?.Socket;

    /// <summary>A connection is open and the hub greeted it (sent a message on it).</summary>
    public bool IsLive => _connection is { EndedWith: null, Greeted: true };

    /// <summary>The HTTP status a hub (or the edge) refused the last upgrade with; null when it was not refused.</summary>
    public HttpStatusCode? UpgradeStatus { get; private set; }

    /// <summary>Every message received, oldest first, over all connections (only with <see cref="KeepMessages"/>).</summary>
    public IReadOnlyCollection<HubMessage> Messages =>
        KeepMessages ? (IReadOnlyCollection<HubMessage>?)_messages ?? [] : throw new InvalidOperationException($"{nameof(KeepMessages)} is off.");

    /// <summary>How every connection so far ended, oldest first (an open one is not in it).</summary>
    public IReadOnlyList<HubConnectionEnd> Ends
    {
        get
        {
            lock (_gate)
            {
                return _ends is null ? [] : [.. _ends];
            }
        }
    }

    /// <summary>The close code of the last connection's end; null while it is open, or when it ended without a close frame.</summary>
    public WebSocketCloseStatus? CloseStatus => _connection?.EndedWith?.CloseStatus;

    /// <summary><c>ws://</c> (or <c>wss://</c>) <c>/ws?room=…&amp;t=…</c> on <paramref name="site"/>: where a page opens its socket.</summary>
    public static Uri SocketUri(Uri site, string room, string token)
    {
        ArgumentNullException.ThrowIfNull(site);
        var scheme = site.Scheme == Uri.UriSchemeHttps ? Uri.UriSchemeWss : Uri.UriSchemeWs;
        return new Uri(new UriBuilder(site) { Scheme = scheme }.Uri, WaitingRoomPaths.SocketUrl(room, token));
    }

    /// <summary>Messages of <paramref name="kind"/> received so far, over all connections.</summary>
    public int Count(HubMessageKind kind) => Volatile.Read(ref _counts[IndexOf(kind)]);

    /// <summary>The first message of <paramref name="kind"/> received; null before it.</summary>
    public HubMessage? First(HubMessageKind kind) => Volatile.Read(ref _first[IndexOf(kind)]);

    /// <summary>The latest message of <paramref name="kind"/> received; null before the first.</summary>
    public HubMessage? Last(HubMessageKind kind) => Volatile.Read(ref _last[IndexOf(kind)]);

    /// <summary>Opens a <see cref="ClientWebSocket"/> to <paramref name="uri"/> (through <paramref name="invoker"/>'s handler when given) and starts reading.</summary>
    public Task ConnectAsync(Uri uri, HttpMessageInvoker? invoker, TimeSpan? heartbeatEvery, CancellationToken cancellationToken) =>
        ConnectAsync(ct => OpenAsync(uri, invoker, ct), heartbeatEvery, cancellationToken);

    /// <summary>
    /// Opens a socket with <paramref name="open"/> (any <see cref="WebSocket"/>: a test server's, a <see cref="ClientWebSocket"/>)
    /// and starts reading; sends <c>{"type":"heartbeat"}</c> every <paramref name="heartbeatEvery"/> when given. A failed
    /// upgrade throws what <paramref name="open"/> threw.
    /// </summary>
    public async Task ConnectAsync(Func<CancellationToken, Task<WebSocket>> open, TimeSpan? heartbeatEvery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(open);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var previous = _connection;
        if (previous is { EndedWith: null })
        {
            throw new InvalidOperationException("A connection is open: close or drop it first.");
        }

        var connection = new Connection(await open(cancellationToken));
        if (previous is not null)
        {
            await previous.DisposeAsync();
        }

        _connection = connection;
        connection.Receiving = ReceiveAsync(connection);
        if (heartbeatEvery is { } every)
        {
            connection.Heartbeats = new CancellationTokenSource();
            connection.Beating = HeartbeatAsync(connection.Socket, every, connection.Heartbeats.Token);
        }
    }

    /// <summary>
    /// Keeps this client connected to <paramref name="uri"/> as the waiting page does (<paramref name="policy"/>) until
    /// it is admitted, is told its place is gone, or <paramref name="cancellationToken"/> is cancelled; then drops the
    /// connection (the page leaves). Never throws for a failed connection: it tries again after the policy's delay.
    /// </summary>
    public async Task RunAsync(Uri uri, HttpMessageInvoker? invoker, HubReconnectPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        const HubMessageKind Settled = HubMessageKind.Admitted | HubMessageKind.Gone;
        var failures = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested && Earliest(Settled) is null)
            {
                HubConnectionEnd? end = null;
                try
                {
                    using (var connecting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                    {
                        connecting.CancelAfter(policy.ConnectTimeout);
                        await ConnectAsync(uri, invoker, policy.HeartbeatEvery, connecting.Token);
                    }

                    if (await WaitForAsync(Settled, cancellationToken) is not null)
                    {
                        return;
                    }

                    end = await ClosedAsync();
                }
                catch (Exception ex) when (ex is WebSocketException or HttpRequestException or IOException or OperationCanceledException)
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        return;
                    }
                }

                await Task.Delay(policy.MaxDelayAfter(end, ref failures) * Random.Shared.NextDouble(), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            await DropAsync();
        }
    }

    /// <summary>
    /// The first message of one of <paramref name="kinds"/> this client received (at once when it has one already), or
    /// the next to arrive; null when the current connection ends first (or none is open).
    /// </summary>
    public async Task<HubMessage?> WaitForAsync(HubMessageKind kinds, CancellationToken cancellationToken)
    {
        TaskCompletionSource<HubMessage?> waiter;
        lock (_gate)
        {
            if (Earliest(kinds) is { } received)
            {
                return received;
            }

            if (_connection is not { EndedWith: null })
            {
                return null;
            }

            waiter = new TaskCompletionSource<HubMessage?>(TaskCreationOptions.RunContinuationsAsynchronously);
            (_waiters ??= []).Add(waiter);
            (_waitingFor ??= []).Add(kinds);
        }

        try
        {
            return await waiter.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            if (!waiter.Task.IsCompleted)
            {
                lock (_gate)
                {
                    var index = _waiters!.IndexOf(waiter);
                    if (index >= 0)
                    {
                        _waiters.RemoveAt(index);
                        _waitingFor!.RemoveAt(index);
                    }
                }
            }
        }
    }

    /// <summary>Completes when the current connection has ended, with how (null when there never was one). Never faults.</summary>
    public Task<HubConnectionEnd?> ClosedAsync() => _connection?.End.Task ?? Task.FromResult<HubConnectionEnd?>(null);

    public Task SendTextAsync(string text, CancellationToken cancellationToken) =>
        (Socket ?? throw new InvalidOperationException("Not connected.")).SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, cancellationToken);

    /// <summary>
    /// Ends the connection cleanly: the close frame, then the hub's answer or the end of the connection, within
    /// <paramref name="timeout"/>; the connection is aborted after that whatever happened.
    /// </summary>
    public async Task<HubCloseOutcome> CloseAsync(TimeSpan timeout)
    {
        if (_connection is not { EndedWith: null } connection || connection.Socket.State != WebSocketState.Open)
        {
            return HubCloseOutcome.NotOpen;
        }

        connection.ByClient = true;
        await connection.StopHeartbeatsAsync();
        using var expiry = new CancellationTokenSource(timeout);
        try
        {
            await connection.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", expiry.Token);
            var end = await connection.End.Task.WaitAsync(expiry.Token);
            return end!.CloseStatus is null ? HubCloseOutcome.Dropped : HubCloseOutcome.Answered;
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            return HubCloseOutcome.TimedOut;
        }
        finally
        {
            connection.Socket.Abort();
            await connection.Receiving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Drops the connection without a close handshake (a lost network, a closed tab).</summary>
    public async Task DropAsync()
    {
        if (_connection is not { } connection)
        {
            return;
        }

        connection.ByClient = true;
        connection.Socket.Abort();
        await connection.Receiving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await connection.StopHeartbeatsAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        if (_connection is { } connection)
        {
            await DropAsync();
            await connection.DisposeAsync();
        }
    }

    private static int IndexOf(HubMessageKind kind) =>
        BitOperations.IsPow2((int)kind) && (int)kind < 1 << Kinds
            ? BitOperations.Log2((uint)kind)
            : throw new ArgumentOutOfRangeException(nameof(kind), kind, "One kind of message.");

    private async Task<WebSocket> OpenAsync(Uri uri, HttpMessageInvoker? invoker, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        // For the status of a refused upgrade; the headers are let go once the socket is open.
        socket.Options.CollectHttpResponseDetails = true;
        if (!string.IsNullOrEmpty(Cookie))
        {
            socket.Options.SetRequestHeader("Cookie", Cookie);
        }

        if (Origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", Origin);
        }

        try
        {
            await socket.ConnectAsync(uri, invoker, cancellationToken);
            socket.HttpResponseHeaders = null;
            UpgradeStatus = null;
            return socket;
        }
        catch
        {
            UpgradeStatus = socket.HttpStatusCode is not 0 and not HttpStatusCode.SwitchingProtocols ? socket.HttpStatusCode : null;
            socket.Dispose();
            throw;
        }
    }

    private async Task ReceiveAsync(Connection connection)
    {
        var socket = connection.Socket;
        var buffer = new byte[FirstBufferBytes];
        Exception? error = null;
        var closeFrame = false;
        try
        {
            while (true)
            {
                var length = 0;
                var oversized = false;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length)
                    {
                        if (buffer.Length < MaxMessageBytes)
                        {
                            Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxMessageBytes));
                        }
                        else
                        {
                            // Keep the start for the example, read the rest over the tail.
                            oversized = true;
                            length = OversizedTextBytes;
                        }
                    }

                    result = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                    length += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    closeFrame = true;
                    await AnswerCloseAsync(socket);
                    return;
                }

                var receivedAt = Stopwatch.GetTimestamp();
                Receive(connection, oversized
                    ? HubMessage.Invalid("oversized message", Encoding.UTF8.GetString(buffer, 0, OversizedTextBytes), receivedAt)
                    : HubMessage.Parse(buffer.AsSpan(0, length), receivedAt));
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            error = ex;
        }
        finally
        {
            End(connection, closeFrame ? socket.CloseStatus : null, closeFrame ? socket.CloseStatusDescription : null, error);
        }
    }

    private void Receive(Connection connection, HubMessage message)
    {
        var index = IndexOf(message.Kind);
        List<TaskCompletionSource<HubMessage?>>? ready = null;
        lock (_gate)
        {
            _counts[index]++;
            _first[index] ??= message;
            _last[index] = message;
            if (KeepMessages)
            {
                (_messages ??= new ConcurrentQueue<HubMessage>()).Enqueue(message);
            }

            connection.Greeted = true;
            for (var i = (_waiters?.Count ?? 0) - 1; i >= 0; i--)
            {
                if ((_waitingFor![i] & message.Kind) != 0)
                {
                    (ready ??= []).Add(_waiters![i]);
                    _waiters.RemoveAt(i);
                    _waitingFor.RemoveAt(i);
                }
            }
        }

        Observer?.Invoke(this, message);
        ready?.ForEach(waiter => waiter.TrySetResult(message));
    }

    private void End(Connection connection, WebSocketCloseStatus? closeStatus, string? description, Exception? error)
    {
        var byClient = connection.ByClient;
        var end = new HubConnectionEnd(closeStatus, description, connection.Greeted, byClient, Stopwatch.GetElapsedTime(connection.OpenedAt), closeStatus is null && !byClient ? error : null);
        List<TaskCompletionSource<HubMessage?>>? waiters;
        lock (_gate)
        {
            (_ends ??= []).Add(end);
            connection.EndedWith = end;
            waiters = _waiters;
            _waiters = null;
            _waitingFor = null;
        }

        connection.End.TrySetResult(end);
        connection.Heartbeats?.Cancel();
        waiters?.ForEach(waiter => waiter.TrySetResult(null));
    }

    /// <summary>The earliest message received of one of <paramref name="kinds"/>.</summary>
    private HubMessage? Earliest(HubMessageKind kinds)
    {
        HubMessage? earliest = null;
        for (var i = 0; i < Kinds; i++)
        {
            if (((int)kinds & (1 << i)) != 0 && Volatile.Read(ref _first[i]) is { } first && (earliest is null || first.ReceivedAt < earliest.ReceivedAt))
            {
                earliest = first;
            }
        }

        return earliest;
    }

    /// <summary>
    /// Completes the close handshake the hub started, as a browser does at once (a stopping hub waits for the answers
    /// of the sockets it hands back); bounded, and whatever happens the connection has ended.
    /// </summary>
    private static async Task AnswerCloseAsync(WebSocket socket)
    {
        if (socket.State != WebSocketState.CloseReceived)
        {
            return;
        }

        using var expiry = new CancellationTokenSource(CloseAnswerTimeout);
        try
        {
            await socket.CloseOutputAsync(socket.CloseStatus ?? WebSocketCloseStatus.Empty, null, expiry.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The hub (or the network) went first.
        }
    }

    private static async Task HeartbeatAsync(WebSocket socket, TimeSpan every, CancellationToken cancellationToken)
    {
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                await socket.SendAsync(HeartbeatFrame, WebSocketMessageType.Text, true, cancellationToken);
                await Task.Delay(every, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The connection ended (its end is recorded by the reading side) or the client stopped heartbeating.
        }
    }

    /// <summary>One socket and the loops on it.</summary>
    private sealed class Connection(WebSocket socket) : IAsyncDisposable
    {
        public WebSocket Socket { get; } = socket;

        public long OpenedAt { get; } = Stopwatch.GetTimestamp();

        public TaskCompletionSource<HubConnectionEnd?> End { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Receiving { get; set; } = Task.CompletedTask;

        public Task Beating { get; set; } = Task.CompletedTask;

        public CancellationTokenSource? Heartbeats { get; set; }

        public volatile bool Greeted;

        /// <summary>How it ended; null while open.</summary>
        public volatile HubConnectionEnd? EndedWith;

        public volatile bool ByClient;

        public async Task StopHeartbeatsAsync()
        {
            if (Heartbeats is { } heartbeats)
            {
                await heartbeats.CancelAsync();
                await Beating.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Receiving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await StopHeartbeatsAsync();
            Heartbeats?.Dispose();
            Socket.Dispose();
        }
    }
}
