using System.Net.WebSockets;
using System.Threading.Channels;

namespace YarpWaitingRoom.Hub.Sessions;

/// <summary>
/// One WebSocket connection of one waiting visitor, held in this hub's memory. Everything sent to it goes through its
/// own bounded queue and send loop, so a slow client only ever delays itself; a client that lets the queue overflow
/// is cut off.
/// </summary>
internal sealed class HubSession
{
    private readonly Channel<ReadOnlyMemory<byte>> _outbox;
    private long _sequence = -1;
    private int _admitted;
    private int _overflowed;
    private WebSocketCloseStatus? _closeStatus;
    private string? _closeDescription;

    public HubSession(RoomContext room, string ticket, string visitor, bool isOwner, WebSocket socket, int queueCapacity, string? returnUrl = null)
    {
        Room = room;
        Ticket = ticket;
        Visitor = visitor;
        IsOwner = isOwner;
        ReturnUrl = isOwner ? returnUrl : null;
        Socket = socket;
        _outbox = Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(queueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails instead of silently dropping
            SingleReader = true,
        });
    }

    public RoomContext Room { get; }

    public string Ticket { get; }

    public string Visitor { get; }

    /// <summary>
    /// True when the upgrade came with the ticket's own visitor's valid <c>wr_vid</c> cookie (checked once, at connect):
    /// only such a connection is sent the entry link. Anyone else who has the ticket (a shared or leaked link) sees the
    /// place and the state, never the link.
    /// </summary>
    public bool IsOwner { get; }

    public WebSocket Socket { get; }

    /// <summary>
    /// The ticket's sequence as its greeting found it: above 0 while it waited (the push tick computes its place from it,
    /// <see cref="Queue.PositionBook"/>), 0 when it did not wait, -1 until the greeting looked.
    /// </summary>
    public long Sequence
    {
        get => Volatile.Read(ref _sequence);
        set => Volatile.Write(ref _sequence, value);
    }

    /// <summary>
    /// Where the visitor first wanted to go, from the ticket token (the room keeps it nowhere else): carried into the entry
    /// link. Only an owner's connection keeps it, as only it is sent a link.
    /// </summary>
    public string? ReturnUrl { get; }

    /// <summary>True once this connection has been sent its admission notice (at most once per connection).</summary>
    public bool AdmittedSent => Volatile.Read(ref _admitted) == 1;

    /// <summary>True once the session is being closed on purpose (gone, replaced, drain): it takes no more messages.</summary>
    public bool IsClosing => _closeStatus is not null;

    /// <summary>True when the client stopped reading and its queue overflowed.</summary>
    public bool Overflowed => Volatile.Read(ref _overflowed) == 1;

    /// <summary>Claims the one admission notice of this connection; false if it was sent already.</summary>
    public bool TryMarkAdmitted() => Interlocked.Exchange(ref _admitted, 1) == 0;

    /// <summary>Queues a message; false (and the socket is aborted) when the client is too slow to keep up.</summary>
    public bool Enqueue(ReadOnlyMemory<byte> message)
    {
        if (_outbox.Writer.TryWrite(message))
        {
            return true;
        }

        if (_closeStatus is not null)
        {
            // Closing on purpose (gone, drain): the message is simply not sent; that is not a slow client.
            return false;
        }

        if (Interlocked.Exchange(ref _overflowed, 1) == 0)
        {
            _outbox.Writer.TryComplete();
            Socket.Abort();
        }

        return false;
    }

    /// <summary>No more messages; the send loop ends once the queue is drained.</summary>
    public void Complete() => _outbox.Writer.TryComplete();

    /// <summary>
    /// No more messages: the send loop sends what is queued, then the close frame with <paramref name="status"/>
    /// (the send side owns the socket's output, so a close never races a send).
    /// </summary>
    public void CloseAfterSending(WebSocketCloseStatus status, string description)
    {
        _closeDescription = description;
        _closeStatus = status;
        _outbox.Writer.TryComplete();
    }

    /// <summary>Sends queued messages in order until <see cref="Complete"/> or the socket fails.</summary>
    public async Task SendLoopAsync(TimeSpan sendTimeout, Action<int> sent, CancellationToken cancellationToken)
    {
        // One timeout source for the session, re-armed per message (TryReset), not a new one per message.
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            await foreach (var message in _outbox.Reader.ReadAllAsync(cancellationToken))
            {
                timeout.CancelAfter(sendTimeout);
                await Socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
                sent(message.Length);
                if (!timeout.TryReset())
                {
                    timeout.Dispose();
                    timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                }
            }

            if (_closeStatus is { } status && Socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                timeout.CancelAfter(sendTimeout);
                await Socket.CloseOutputAsync(status, _closeDescription, timeout.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or stalled: the receive side notices and cleans up.
            Socket.Abort();
        }
        finally
        {
            timeout.Dispose();
        }
    }
}
