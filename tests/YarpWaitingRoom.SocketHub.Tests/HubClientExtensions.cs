using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Testing.Hub;

namespace YarpWaitingRoom.SocketHub.Tests;

internal static class HubClientExtensions
{
    /// <summary>A status as its state and place, what a visitor sees (its sequence aside).</summary>
    public static (TicketState State, long Position) Place(TicketStatus status) => (status.State, status.Position);

    /// <summary>Connects <paramref name="client"/> to the in-process <paramref name="hub"/> with its ticket, cookie and origin.</summary>
    public static Task ConnectAsync(this HubClient client, HubApp hub, TimeSpan? heartbeatEvery = null) =>
        client.ConnectAsync(
            cancellationToken => hub.OpenSocketAsync(client.Token, client.Cookie, client.Origin, cancellationToken),
            heartbeatEvery,
            TestContext.Current.CancellationToken);
}
