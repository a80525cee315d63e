using Microsoft.Extensions.Options;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.SocketHub.Diagnostics;
using YarpWaitingRoom.SocketHub.Extensions;
using YarpWaitingRoom.SocketHub.Sessions;
using YarpWaitingRoom.Tokens;

namespace YarpWaitingRoom.SocketHub.Push;

/// <summary>
/// Delivers admission notices exactly once across hubs. Admission batches arrive as one Pub/Sub message per batch
/// (every hub gets every batch); for the admitted tickets that have a connection of their own visitor here
/// (<see cref="HubSession.IsOwner"/>), the hub delivers them through the room's one delivery rule
/// (<see cref="QueueStore.DeliverAsync"/>: one script call per batch) and only the first deliverer sends the entry link.
/// A connection is sent at most one notice, and one that opens while its ticket is admitted but not yet entered (hub
/// restarted, socket dropped before delivery) gets it on connect: idempotent for the client, which just follows the
/// link. The first delivery starts the claim window, so an admission made while nobody could be told is not lost to it.
/// Connections of anyone else holding the ticket (a shared or leaked link) are told <c>{"type":"admitted"}</c> without a
/// link, which is not a delivery: they can neither enter nor use up the visitor's notice or claim window.
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

        var owned = TellOthers(room, parts[2].Split(','));
        if (owned.Count == 0)
        {
            return;
        }

        try
        {
            var deliveries = await room.Queue.DeliverAsync(owned, _instance);
            for (var i = 0; i < owned.Count; i++)
            {
                if (deliveries[i] == DeliveryResult.Delivered)
                {
                    Deliver(room, owned[i]);
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
            Log.NoticeFailed(logger, room.Name, owned.Count, ex.Message);
        }
    }

    /// <summary>The push tick found these tickets admitted, with connections here that have no notice yet (a lost message).</summary>
    public async Task OnFoundActiveAsync(RoomContext room, List<string> tickets)
    {
        var owned = TellOthers(room, tickets);
        if (owned.Count == 0)
        {
            return;
        }

        var deliveries = await room.Queue.DeliverAsync(owned, _instance);
        for (var i = 0; i < owned.Count; i++)
        {
            if (deliveries[i] == DeliveryResult.Delivered)
            {
                Deliver(room, owned[i]);
            }
        }
    }

    /// <summary>
    /// A connection opened for an admitted ticket: the visitor's own gets its notice whatever the delivery says (once per
    /// connection); returns false when the admission lapsed in the meantime (nothing sent). Anyone else's is told
    /// without a link and delivers nothing.
    /// </summary>
    public async Task<bool> OnConnectActiveAsync(RoomContext room, HubSession session)
    {
        if (!session.IsOwner)
        {
            if (session.TryMarkAdmitted())
            {
                Send(room, session);
            }

            return true;
        }

        var delivery = await room.Queue.DeliverAsync([session.Ticket], _instance);
        if (delivery[0] == DeliveryResult.NotAdmitted)
        {
            return false;
        }

        if (session.TryMarkAdmitted())
        {
            Send(room, session);
        }

        return true;
    }

    /// <summary>
    /// Tells the connections of others than the tickets' visitors (no link, no delivery); returns the tickets that have a
    /// connection of their own visitor still waiting for its notice.
    /// </summary>
    private List<string> TellOthers(RoomContext room, IEnumerable<string> tickets)
    {
        var owned = new List<string>();
        foreach (var ticket in tickets)
        {
            var ownerWaits = false;
            foreach (var session in room.SessionsOf(ticket))
            {
                if (session.IsOwner)
                {
                    ownerWaits |= !session.AdmittedSent;
                }
                else if (session.TryMarkAdmitted())
                {
                    Send(room, session);
                }
            }

            if (ownerWaits)
            {
                owned.Add(ticket);
            }
        }

        return owned;
    }

    private void Deliver(RoomContext room, string ticket)
    {
        foreach (var session in room.SessionsOf(ticket))
        {
            if (session.TryMarkAdmitted())
            {
                Send(room, session);
            }
        }
    }

    /// <summary>The notice: with a fresh entry link for the visitor's own connection, without one for anyone else's.</summary>
    private void Send(RoomContext room, HubSession session)
    {
        ReadOnlyMemory<byte> message = session.IsOwner ? HubMessages.Admitted(EnterUrl(room, session)) : HubMessages.AdmittedWithoutLink;
        if (session.Enqueue(message))
        {
            if (session.IsOwner)
            {
                metrics.Notice(room.Name);
            }

            metrics.Out("admitted");
        }
        else
        {
            metrics.Dropped(room.Name);
        }
    }

    private string EnterUrl(RoomContext room, HubSession session) =>
        tokens.IssueEntryLink(room.Name, room.Options, session.Visitor, session.Ticket, timeProvider.GetUtcNow());

    private static partial class Log
    {
        [LoggerMessage(EventIds.NoticeFailed, LogLevel.Warning, "Room {Room}: claiming {Count} admission notices failed ({Message}); the next push tick retries")]
        public static partial void NoticeFailed(ILogger logger, string room, int count, string message);
    }
}
