using YarpWaitingRoom.Testing.Hub;

namespace YarpWaitingRoom.SystemTests.Faults;

/// <summary>
/// A waiting visitor whose socket behaves like the waiting page's: <see cref="HubClient.RunAsync"/> with
/// <see cref="HubReconnectPolicy.WaitingPage"/> (heartbeats, backoff with jitter after a drop, back at once after a
/// hand-back with 1012), until it is admitted or its place is gone. Its connections leave from an address of its own,
/// as on the internet: per-address limits apply to each visitor.
/// </summary>
internal sealed class SocketVisitor : IAsyncDisposable
{
    private readonly Uri _socketUri;
    private readonly HttpMessageInvoker _invoker = new(SourceAddresses.From(SourceAddresses.Next()));
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;

    private SocketVisitor(Uri edge, QueueTicket ticket)
    {
        // The joining browser's wr_vid: the hubs give the entry link (and count the delivery) only with it.
        Socket = new HubClient { Ticket = ticket.Id, Token = ticket.Token, Cookie = ticket.CookieHeader };
        _socketUri = HubClient.SocketUri(edge, FaultTopology.Room, ticket.Token);
    }

    public HubClient Socket { get; }

    public string TicketId => Socket.Ticket;

    /// <summary>A socket is open and the hub greeted it (first message received).</summary>
    public bool IsLive => Socket.IsLive;

    /// <summary>Admission notices received (exactly once is the rule).</summary>
    public int Admissions => Socket.Count(HubMessageKind.Admitted);

    /// <summary>Connections lost after a greeting (hub killed, handed back).</summary>
    public int Drops => Socket.Ends.Count(end => end.Greeted && !end.ByClient);

    /// <summary>The reasons of the <c>gone</c> messages received.</summary>
    public IEnumerable<string?> Gone => Socket.Messages.Where(m => m.Kind == HubMessageKind.Gone).Select(m => m.Reason);

    /// <summary>Close codes the hubs sent.</summary>
    public IEnumerable<int> CloseCodes => Socket.Ends.Where(end => end.CloseStatus is not null).Select(end => (int)end.CloseStatus!.Value);

    /// <summary>Joins the room through the edge as an API client (the queue must be on): a new visitor, a new place.</summary>
    public static async Task<SocketVisitor> JoinAsync(HttpClient edge, CancellationToken cancellationToken)
    {
        var ticket = await QueueTicket.JoinAsync(edge, cancellationToken);
        return new SocketVisitor(edge.BaseAddress!, ticket);
    }

    public void Start() => _run = Task.Run(() => Socket.RunAsync(_socketUri, _invoker, HubReconnectPolicy.WaitingPage, _stop.Token));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await Socket.DisposeAsync();
        _invoker.Dispose();
        _stop.Dispose();
    }
}
