using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace YarpWaitingRoom.SocketHub.Tests;

/// <summary>A test visitor: one socket at a time, every message received kept in order, optional heartbeats.</summary>
public sealed class WsClient : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _receive = Task.CompletedTask;
    private Task _heartbeat = Task.CompletedTask;

    public WsClient(string visitor, string ticket, string token)
    {
        Visitor = visitor;
        Ticket = ticket;
        Token = token;
    }

    public string Visitor { get; }

    public string Ticket { get; }

    public string Token { get; }

    /// <summary>Whether the client connects as the ticket's own visitor (with its <c>wr_vid</c>), as the joining browser does.</summary>
    public bool AsOwner { get; init; } = true;

    /// <summary>The <c>Origin</c> the upgrade carries; none by default (not a browser).</summary>
    public string? Origin { get; init; }

    public WebSocket? Socket { get; private set; }

    public ConcurrentQueue<JsonElement> Messages { get; } = new();

    public WebSocketCloseStatus? CloseStatus { get; private set; }

    public int Count(string type) => Messages.Count(m => m.GetProperty("type").GetString() == type);

    public JsonElement? Last(string type) => Messages.Where(m => m.GetProperty("type").GetString() == type).Select(m => (JsonElement?)m).LastOrDefault();

    public async Task ConnectAsync(HubApp hub, TimeSpan? heartbeatEvery = null)
    {
        Socket = await hub.ConnectAsync(Token, _stop.Token, AsOwner ? Visitor : null, Origin);
        var socket = Socket;
        _receive = Task.Run(() => ReceiveAsync(socket));
        if (heartbeatEvery is { } every)
        {
            _heartbeat = Task.Run(() => HeartbeatAsync(socket, every));
        }
    }

    public Task SendTextAsync(string text) =>
        Socket!.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, _stop.Token);

    /// <summary>Drops the connection without a close handshake (a lost network).</summary>
    public async Task DropAsync()
    {
        Socket?.Abort();
        await _receive.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Waits until the server closed the socket (or the connection died).</summary>
    public Task ClosedAsync() => _receive;

    private async Task ReceiveAsync(WebSocket socket)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var length = 0;
                WebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, length, buffer.Length - length), _stop.Token);
                    length += result.Count;
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    CloseStatus = result.CloseStatus;
                    return;
                }

                Messages.Enqueue(JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement.Clone());
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private async Task HeartbeatAsync(WebSocket socket, TimeSpan every)
    {
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                await socket.SendAsync("{\"type\":\"heartbeat\"}"u8.ToArray(), WebSocketMessageType.Text, true, _stop.Token);
                await Task.Delay(every, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Socket?.Abort();
        await _receive.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _heartbeat.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Socket?.Dispose();
        _stop.Dispose();
    }
}
