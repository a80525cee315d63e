using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;

namespace YarpWaitingRoom.Bench;

/// <summary>
/// One waiting visitor's WebSocket to a hub, as the bench sees it: counts the <c>position</c> and <c>admitted</c>
/// messages it receives and stamps them with <see cref="Stopwatch"/> timestamps (same clock as the scenario's).
/// Sends nothing but the close frame (no heartbeats: no proxy reaps a bench room).
/// </summary>
internal sealed class HubClient : IDisposable
{
    private const int BufferBytes = 1024;
    private const int ConnectAttempts = 3;

    private readonly HubClientCounters _counters;
    private readonly TaskCompletionSource _firstPosition = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ClientWebSocket? _socket;
    private Task _receiving = Task.CompletedTask;
    private int _positions;
    private int _admitted;
    private long _admittedAt;
    private long _lastPositionAt;
    private volatile bool _closing;

    public HubClient(HubVisitor visitor, HubClientCounters counters)
    {
        Visitor = visitor;
        _counters = counters;
    }

    public HubVisitor Visitor { get; }

    /// <summary>Position messages received so far.</summary>
    public int Positions => Volatile.Read(ref _positions);

    /// <summary>Admitted messages received so far (one expected, at most).</summary>
    public int Admitted => Volatile.Read(ref _admitted);

    /// <summary>Stopwatch timestamp of the first admitted message; 0 before it.</summary>
    public long AdmittedAt => Interlocked.Read(ref _admittedAt);

    /// <summary>Stopwatch timestamp of the latest position message; 0 before the first.</summary>
    public long LastPositionAt => Interlocked.Read(ref _lastPositionAt);

    /// <summary>Completes with the first position message.</summary>
    public Task FirstPosition => _firstPosition.Task;

    /// <summary>Opens the socket (up to three attempts) and starts reading.</summary>
    public async Task ConnectAsync(Uri uri, HttpMessageInvoker invoker, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var socket = new ClientWebSocket();
            try
            {
                await socket.ConnectAsync(uri, invoker, cancellationToken);
                _socket = socket;
                _receiving = ReceiveAsync(socket);
                return;
            }
            catch (Exception ex) when ((ex is WebSocketException or HttpRequestException) && attempt < ConnectAttempts)
            {
                socket.Dispose();
                _counters.ConnectRetried();
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), cancellationToken);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }

    /// <summary>Sends the close frame and waits (bounded) for the hub's answer or the end of the connection.</summary>
    public async Task CloseAsync(TimeSpan timeout)
    {
        _closing = true;
        if (_socket is not { } socket)
        {
            return;
        }

        using var expiry = new CancellationTokenSource(timeout);
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bench done", expiry.Token);
            }

            await _receiving.WaitAsync(expiry.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            _counters.CloseExpired();
        }
        finally
        {
            socket.Abort();
        }
    }

    public void Dispose() => _socket?.Dispose();

    private async Task ReceiveAsync(ClientWebSocket socket)
    {
        var buffer = new byte[BufferBytes];
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length)
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }

                    result = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                    length += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _counters.ServerClosed(_closing);
                    return;
                }

                OnMessage(buffer.AsSpan(0, length), Stopwatch.GetTimestamp());
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Ended without a close frame from the hub: after our close frame, the hub dropped the connection instead
            // of answering; before it, the connection failed.
            _counters.Dropped(_closing);
        }
    }

    private void OnMessage(ReadOnlySpan<byte> utf8, long receivedAt)
    {
        switch (TypeOf(utf8))
        {
            case "position":
                Interlocked.Exchange(ref _lastPositionAt, receivedAt);
                Interlocked.Increment(ref _positions);
                _counters.Position();
                _firstPosition.TrySetResult();
                break;
            case "admitted":
                if (Interlocked.Increment(ref _admitted) == 1)
                {
                    Interlocked.Exchange(ref _admittedAt, receivedAt);
                    _counters.Admitted();
                }
                else
                {
                    _counters.AdmittedAgain();
                }

                break;
            case "gone":
                _counters.Gone();
                break;
            default:
                _counters.Unexpected();
                break;
        }
    }

    /// <summary>The <c>type</c> member of a JSON object message (interned names for the known ones), or null.</summary>
    private static string? TypeOf(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = reader.ValueTextEquals("type"u8);
                reader.Read();
                if (isType && reader.TokenType == JsonTokenType.String)
                {
                    return reader.ValueTextEquals("position"u8) ? "position"
                        : reader.ValueTextEquals("admitted"u8) ? "admitted"
                        : reader.ValueTextEquals("gone"u8) ? "gone"
                        : reader.GetString();
                }

                reader.Skip();
            }

            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>Totals over all the clients of a scenario (thread-safe).</summary>
internal sealed class HubClientCounters
{
    private long _positions;
    private long _admitted;
    private long _admittedAgain;
    private long _gone;
    private long _unexpected;
    private long _connectRetries;
    private long _closeAnswered;
    private long _closeUnanswered;
    private long _closeTimedOut;
    private long _closedByHub;
    private long _failed;

    public long Positions => Interlocked.Read(ref _positions);

    /// <summary>Clients that received their first admitted message.</summary>
    public long AdmittedClients => Interlocked.Read(ref _admitted);

    /// <summary>Admitted messages beyond the first per client.</summary>
    public long AdmittedAgainMessages => Interlocked.Read(ref _admittedAgain);

    public long GoneMessages => Interlocked.Read(ref _gone);

    public long UnexpectedMessages => Interlocked.Read(ref _unexpected);

    public long ConnectRetries => Interlocked.Read(ref _connectRetries);

    /// <summary>Our close frame was answered by the hub's close frame (a clean close handshake).</summary>
    public long CloseAnswered => Interlocked.Read(ref _closeAnswered);

    /// <summary>After our close frame, the hub dropped the connection without a close frame.</summary>
    public long CloseUnanswered => Interlocked.Read(ref _closeUnanswered);

    /// <summary>Neither within the close timeout.</summary>
    public long CloseTimedOut => Interlocked.Read(ref _closeTimedOut);

    /// <summary>The hub closed a socket before the bench did (close frame).</summary>
    public long ClosedByHub => Interlocked.Read(ref _closedByHub);

    /// <summary>Connections that failed before the bench closed them.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    public void Position() => Interlocked.Increment(ref _positions);

    public void Admitted() => Interlocked.Increment(ref _admitted);

    public void AdmittedAgain() => Interlocked.Increment(ref _admittedAgain);

    public void Gone() => Interlocked.Increment(ref _gone);

    public void Unexpected() => Interlocked.Increment(ref _unexpected);

    public void ConnectRetried() => Interlocked.Increment(ref _connectRetries);

    public void CloseExpired() => Interlocked.Increment(ref _closeTimedOut);

    public void ServerClosed(bool afterOurs) => Interlocked.Increment(ref afterOurs ? ref _closeAnswered : ref _closedByHub);

    public void Dropped(bool afterOurs) => Interlocked.Increment(ref afterOurs ? ref _closeUnanswered : ref _failed);
}
