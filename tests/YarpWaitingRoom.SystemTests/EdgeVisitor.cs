using YarpWaitingRoom.Testing.Hub;

namespace YarpWaitingRoom.SystemTests;

/// <summary>
/// A visitor through the edge as the system tests drive one: a cookie jar (its <c>wr_vid</c>, then its admission), a place
/// taken as an API client, and (once connected) a WebSocket to the hubs, heartbeating every second.
/// </summary>
internal sealed class EdgeVisitor : IAsyncDisposable
{
    private EdgeVisitor(HttpClient http, QueueTicket ticket)
    {
        Http = http;
        // As the joining browser: its wr_vid goes with the upgrade (the hubs send the entry link only with it).
        Socket = new HubClient { Ticket = ticket.Id, Token = ticket.Token, Cookie = ticket.CookieHeader };
    }

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public HttpClient Http { get; }

    public HubClient Socket { get; }

    public string TicketId => Socket.Ticket;

    /// <summary>Takes a place at the gated <paramref name="path"/> (room <c>concert</c>'s by default) while its queue is on.</summary>
    public static async Task<EdgeVisitor> JoinAsync(Uri edge, string path = "/api/concerts")
    {
#pragma warning disable CA2000 // owned by the visitor
        var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true }) { BaseAddress = edge };
#pragma warning restore CA2000
        return new EdgeVisitor(http, await QueueTicket.JoinAsync(http, path, Cancellation));
    }

    public Task ConnectAsync(Uri edge, string room = "concert", bool heartbeats = true) =>
        Socket.ConnectAsync(HubClient.SocketUri(edge, room, Socket.Token), invoker: null, heartbeats ? TimeSpan.FromSeconds(1) : null, Cancellation);

    /// <summary>The entry link of the admission notice; <see cref="TimeoutException"/> when none came <paramref name="within"/>.</summary>
    public async Task<string> AdmittedAsync(TimeSpan within) =>
        (await Socket.WaitForAsync(HubMessageKind.Admitted, Cancellation).WaitAsync(within, Cancellation))?.EnterUrl
        ?? throw new InvalidOperationException($"no entry link: the socket ended ({Socket.CloseStatus?.ToString() ?? "no close frame"}) or the notice had none");

    /// <summary>The network goes away: the socket is cut without a close.</summary>
    public Task DropAsync() => Socket.DropAsync();

    public async ValueTask DisposeAsync()
    {
        await Socket.DisposeAsync();
        Http.Dispose();
    }
}
