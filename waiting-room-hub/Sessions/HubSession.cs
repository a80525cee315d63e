using Microsoft.AspNetCore.Http.Features;
using System.Net.WebSockets;

namespace YarpWaitingRoom.Hub.Sessions;

/// <summary>
/// One WebSocket connection of one waiting visitor, held in this hub's memory. A message is sent at once by whoever
/// enqueues it when the socket is idle; while a send is in flight, messages wait in the session's own small queue and
/// the sender in flight sends them, in order, before it lets go. So a slow client only ever delays itself, a client
/// that lets the queue overflow is cut off, and an idle session holds no task, queue, buffer or timer: a send that
/// waits longer than <see cref="Extensions.SocketHubOptions.SendTimeout"/> is aborted by <see cref="SendDeadlines"/>,
/// one timing wheel for all sessions, which sees only sends that had to wait. The session locks itself (an internal type nobody else
/// locks): a lock object of its own would be 40 bytes more per socket.
/// </summary>
internal sealed class HubSession
{
    private readonly int _queueCapacity;
    private readonly SendDeadlines _deadlines;
    private readonly IHttpRequestLifetimeFeature? _connection;
    private long _sent;
    private Queue<ReadOnlyMemory<byte>>? _queue;
    private TaskCompletionSource? _idle;
    private bool _sending;
    private bool _completed;
    private bool _closeSent;
    private long _sequence = NotGreeted;
    private string? _receipt;
    private string? _placedTicket;
    private int _admitted;
    private int _overflowed;
    private int _soldOutTold;
    private long _startTold;
    private WebSocketCloseStatus? _closeStatus;
    private string? _closeDescription;

    // connection: the socket's connection, aborted with it (a send waiting on a connection that takes nothing ends only
    // when the connection is aborted); none for a socket over something else.
    public HubSession(RoomContext room, string ticket, string visitor, bool isOwner, WebSocket socket, int queueCapacity, SendDeadlines deadlines, string? returnUrl = null, IHttpRequestLifetimeFeature? connection = null)
    {
        Room = room;
        Ticket = ticket;
        Visitor = visitor;
        IsOwner = isOwner;
        ReturnUrl = isOwner ? returnUrl : null;
        Socket = socket;
        _queueCapacity = queueCapacity;
        _deadlines = deadlines;
        _connection = connection;
    }

    /// <summary><see cref="Sequence"/> until the greeting looked.</summary>
    public const long NotGreeted = -1;

    /// <summary><see cref="Sequence"/> of a ticket in a scheduled sale's pre-queue: no place until the draw.</summary>
    public const long InPrequeue = -2;

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
    /// <see cref="Queue.PositionBook"/>), 0 when it did not wait, <see cref="NotGreeted"/> until the greeting looked,
    /// <see cref="InPrequeue"/> while a sale's pre-queue holds it (the tick places it once the sale is drawn).
    /// </summary>
    public long Sequence
    {
        get => Volatile.Read(ref _sequence);
        set => Volatile.Write(ref _sequence, value);
    }

    /// <summary>The public id of the ticket's place in a sale's draw (pre-queue, then drawn); null without a sale.</summary>
    public string? Receipt
    {
        get => Volatile.Read(ref _receipt);
        set => Volatile.Write(ref _receipt, value);
    }

    /// <summary>
    /// For a pre-queue ticket (<c>&lt;visitor&gt;.p</c>) the draw has placed: the ticket of that place, which admission
    /// names (the entry link is issued for it); null otherwise.
    /// </summary>
    public string? PlacedTicket
    {
        get => Volatile.Read(ref _placedTicket);
        set => Volatile.Write(ref _placedTicket, value);
    }

    /// <summary>The ticket admission knows this connection's place by: the drawn place's, else its own.</summary>
    public string PlaceTicket => PlacedTicket ?? Ticket;

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

    /// <summary>Claims the one sold-out notice of this connection in a sold-out spell; false if it was told already.</summary>
    public bool TryMarkSoldOut() => Interlocked.Exchange(ref _soldOutTold, 1) == 0;

    /// <summary>
    /// The room is not sold out (any more): a next sold-out spell is told again. True when this connection had been told
    /// of the spell that ended (it is then told that seats came back).
    /// </summary>
    public bool ClearSoldOut() => Interlocked.Exchange(ref _soldOutTold, 0) == 1;

    /// <summary>
    /// Claims telling this connection that the pre-queue's sale starts at <paramref name="startsAt"/>; false when that
    /// very start was told already (each tick tells only a start the connection has not heard: a moved one).
    /// </summary>
    public bool TryMarkStartTold(DateTimeOffset startsAt)
    {
        var start = startsAt.ToUnixTimeMilliseconds();
        return Interlocked.Exchange(ref _startTold, start) != start;
    }

    /// <summary>Claims the one admission notice of this connection; false if it was sent already.</summary>
    public bool TryMarkAdmitted() => Interlocked.Exchange(ref _admitted, 1) == 0;

    /// <summary>
    /// Sends a message, at once when the socket is idle, else after those queued before it; false when the session takes
    /// no more messages (closing or closed), or when the client is too slow to keep up (then the socket is aborted).
    /// </summary>
    public bool Enqueue(ReadOnlyMemory<byte> message)
    {
        var overflowed = false;
        lock (this)
        {
            if (_completed)
            {
                return false;
            }

            if (!_sending)
            {
                _sending = true;
            }
            else if ((_queue ??= new Queue<ReadOnlyMemory<byte>>()).Count < _queueCapacity)
            {
                _queue.Enqueue(message);
                return true;
            }
            else
            {
                _overflowed = 1;
                _completed = true;
                _queue.Clear();
                overflowed = true;
            }
        }

        if (overflowed)
        {
            // Overflowed: the send in flight fails with the abort and lets go of the session.
            Abort();
            return false;
        }

        _ = SendAsync(message, close: false);
        return true;
    }

    /// <summary>
    /// No more messages: what is queued is sent, then the close frame with <paramref name="status"/> (by the same
    /// sender, so a close never races a send). The first close asked for is the one sent.
    /// </summary>
    public void CloseAfterSending(WebSocketCloseStatus status, string description)
    {
        lock (this)
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            _closeDescription = description;
            _closeStatus = status;
            if (_sending)
            {
                return;
            }

            _sending = true;
            _closeSent = true;
        }

        _ = SendAsync(default, close: true);
    }

    /// <summary>No more messages; completes once what was queued (and a close frame asked for) is sent or has failed.</summary>
    public Task CompleteAsync()
    {
        lock (this)
        {
            _completed = true;
            return _sending ? (_idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task : Task.CompletedTask;
        }
    }

    /// <summary>
    /// Aborts the socket and its connection if its send number <paramref name="send"/> is still in flight (called by
    /// <see cref="SendDeadlines"/> when that send began to wait a SendTimeout ago); returns whether it did.
    /// </summary>
    internal bool AbortIfStillSending(long send)
    {
        if (Volatile.Read(ref _sent) != send)
        {
            return false;
        }

        Abort();
        return true;
    }

    private void Abort()
    {
        Socket.Abort();
        _connection?.Abort();
    }

    /// <summary>
    /// Sends <paramref name="message"/> (or the close frame), then whatever was queued meanwhile, then lets go of the
    /// socket. Completes synchronously (no task, no state machine kept) when the socket takes the bytes at once.
    /// </summary>
    private async Task SendAsync(ReadOnlyMemory<byte> message, bool close)
    {
        TaskCompletionSource? idle;
        try
        {
            while (true)
            {
                // No cancellation token: the socket's fast path (no registration, no state machine) when it takes the
                // bytes at once; a send that has to wait is watched by the deadlines.
                var sending = !close
                    ? Socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None)
                    : Socket.State is WebSocketState.Open or WebSocketState.CloseReceived
                        ? new ValueTask(Socket.CloseOutputAsync(_closeStatus!.Value, _closeDescription, CancellationToken.None))
                        : ValueTask.CompletedTask;
                if (!sending.IsCompleted)
                {
                    _deadlines.Watch(this, Volatile.Read(ref _sent));
                }

                await sending;
                Interlocked.Increment(ref _sent);

                lock (this)
                {
                    if (_queue is { Count: > 0 })
                    {
                        message = _queue.Dequeue();
                        continue;
                    }

                    _queue = null;
                    if (_closeStatus is not null && !_closeSent)
                    {
                        _closeSent = true;
                        close = true;
                        continue;
                    }

                    _sending = false;
                    idle = _idle;
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The client went away, or the send outlived its deadline (which aborted the socket): the receive side notices and cleans up.
            Abort();
            lock (this)
            {
                _completed = true;
                _queue = null;
                _sending = false;
                idle = _idle;
            }
        }

        idle?.TrySetResult();
    }
}
