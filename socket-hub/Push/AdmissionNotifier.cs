using Microsoft.Extensions.Options;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.SocketHub.Diagnostics;
using YarpWaitingRoom.SocketHub.Extensions;
using YarpWaitingRoom.SocketHub.Sessions;
using YarpWaitingRoom.Tokens;

namespace YarpWaitingRoom.SocketHub.Push;

/// <summary>
/// Delivers admission notices exactly once across hubs. Admission batches arrive as one Pub/Sub message per batch
/// (every hub gets every batch); for the admitted tickets that have a connection here, the hub delivers them through
/// the room's one delivery rule (<see cref="QueueStore.DeliverAsync"/>: one script call per batch) and only the first
/// deliverer sends. A connection is sent at most one notice, and one that opens while its ticket is admitted but not yet
/// entered (hub restarted, socket dropped before delivery) gets it on connect: idempotent for the client, which just
/// follows the link. The first delivery starts the claim window, so an admission made while nobody could be told is not
/// lost to it.
/// </summary>
internal sealed partial class AdmissionNotifier(
    TokenService tokens,
    IOptions<SocketHubOptions> options,
    HubMetrics metrics,
    TimeProvider timeProvider,
    ILogger<AdmissionNotifier> logger)
{
    private readonly string _instance = options.Value.InstanceName;

    /// <summary>Handles one <c>admitted|&lt;ms&gt;|t1,t2,…</c> message.</summary>
    public async Task OnBatchAsync(RoomContext room, string message)
    {
        var parts = message.Split('|', 3);
        if (parts.Length != 3 || parts[0] != "admitted" || parts[2].Length == 0)
        {
            return;
        }

        var local = new List<string>();
        foreach (var ticket in parts[2].Split(','))
        {
            if (room.SessionsOf(ticket).Any(s => !s.AdmittedSent))
            {
                local.Add(ticket);
            }
        }

        if (local.Count == 0)
        {
            return;
        }

        try
        {
            var deliveries = await room.Queue.DeliverAsync(local, _instance);
            for (var i = 0; i < local.Count; i++)
            {
                if (deliveries[i] == DeliveryResult.Delivered)
                {
                    Deliver(room, local[i]);
                }
                else if (deliveries[i] == DeliveryResult.DeliveredBefore)
                {
                    metrics.Duplicate(room.Name);
                }
            }
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            // Nothing claimed, nothing lost: the next push tick finds these tickets active and delivers.
            Log.NoticeFailed(logger, room.Name, local.Count, ex.Message);
        }
    }

    /// <summary>The push tick found these tickets admitted, with connections here that have no notice yet (a lost message).</summary>
    public async Task OnFoundActiveAsync(RoomContext room, List<string> tickets)
    {
        var deliveries = await room.Queue.DeliverAsync(tickets, _instance);
        for (var i = 0; i < tickets.Count; i++)
        {
            if (deliveries[i] == DeliveryResult.Delivered)
            {
                Deliver(room, tickets[i]);
            }
        }
    }

    /// <summary>
    /// A connection opened for an admitted ticket: it gets its notice whatever the delivery says (once per connection);
    /// returns false when the admission lapsed in the meantime (nothing sent).
    /// </summary>
    public async Task<bool> OnConnectActiveAsync(RoomContext room, HubSession session)
    {
        var delivery = await room.Queue.DeliverAsync([session.Ticket], _instance);
        if (delivery[0] == DeliveryResult.NotAdmitted)
        {
            return false;
        }

        if (session.TryMarkAdmitted())
        {
            Send(room, session, EnterUrl(room, session));
        }

        return true;
    }

    private void Deliver(RoomContext room, string ticket)
    {
        foreach (var session in room.SessionsOf(ticket))
        {
            if (session.TryMarkAdmitted())
            {
                Send(room, session, EnterUrl(room, session));
            }
        }
    }

    private void Send(RoomContext room, HubSession session, string enterUrl)
    {
        if (session.Enqueue(HubMessages.Admitted(enterUrl)))
        {
            metrics.Notice(room.Name);
            metrics.Out("admitted");
        }
        else
        {
            metrics.Dropped(room.Name);
        }
    }

    /// <summary>A fresh one-time entry link for the session's visitor and ticket, valid for the claim window.</summary>
    public string EnterUrl(RoomContext room, HubSession session) => EnterUrl(room, session.Visitor, session.Ticket);

    /// <summary>A fresh one-time entry link for <paramref name="visitor"/>'s admitted <paramref name="ticket"/>.</summary>
    public string EnterUrl(RoomContext room, string visitor, string ticket)
    {
        var code = tokens.Issue(TokenKind.EntryCode, room.Name, visitor, ticket, timeProvider.GetUtcNow() + room.Options.ClaimWindow);
        return $"/_wr/enter/{room.Name}?code={Uri.EscapeDataString(code)}";
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.NoticeFailed, LogLevel.Warning, "Room {Room}: claiming {Count} admission notices failed ({Message}); the next push tick retries")]
        public static partial void NoticeFailed(ILogger logger, string room, int count, string message);
    }
}
