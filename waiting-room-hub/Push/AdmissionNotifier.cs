using Microsoft.Extensions.Options;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Hub.Diagnostics;
using YarpWaitingRoom.Hub.Extensions;
using YarpWaitingRoom.Hub.Sessions;
using YarpWaitingRoom.Tokens;

namespace YarpWaitingRoom.Hub.Push;

/// <summary>
/// The hub's one entry point for admission notices, <see cref="DeliverAsync"/>, whatever brings them: a batch on the
/// room's channel, a push tick that finds a ticket admitted, a connection that opens for one, the waiting page. The rule:
/// <list type="bullet">
/// <item>Once per ticket across hubs and proxies: the room's delivery script (<see cref="QueueStore.DeliverAsync"/>, one
/// call per batch) lets exactly one deliverer have <see cref="DeliveryResult.Delivered"/>, and that first delivery starts the
/// claim window. A batch or tick that finds it <see cref="DeliveryResult.DeliveredBefore"/> sends nothing: another hub
/// (or a poll) told the visitor.</item>
/// <item>At most once per connection (<see cref="HubSession.TryMarkAdmitted"/>), whatever races.</item>
/// <item>A connection that opens (or a page that renders) for an admitted ticket is a new request of the visitor's own
/// browser that does not have the link (a page that has it follows it at once): it gets the link even when delivered
/// before, which restarts nothing.</item>
/// <item>Only the ticket's own visitor (<see cref="HubSession.IsOwner"/>, its <c>wr_vid</c>) gets the link. Anyone else
/// holding the ticket (a shared or leaked link) is told <c>{"type":"admitted"}</c> without one, which is no delivery:
/// they can neither enter nor use up the visitor's notice or claim window.</item>
/// <item>A visitor who entered already (<see cref="DeliveryResult.Entered"/>) has nothing left to wait for: their
/// connections here close with <c>gone</c>/<c>revoked</c>.</item>
/// </list>
/// </summary>
internal sealed partial class AdmissionNotifier(
    TokenService tokens,
    SessionCloser closer,
    IOptions<SocketHubOptions> options,
    HubMetrics metrics,
    TimeProvider timeProvider,
    ILogger<AdmissionNotifier> logger)
{
    /// <summary>The wire reason for a ticket whose visitor entered already.</summary>
    public const string EnteredReason = "revoked";

    private readonly string _instance = options.Value.InstanceName;

    /// <summary>
    /// Delivers the admissions of <paramref name="tickets"/> to this hub's connections by the rule above; one Redis call.
    /// Returns, per ticket, what the room's delivery said, or <see langword="null"/> where there was nobody here to deliver
    /// to (a batch or tick ticket with no connection of its visitor waiting for a notice).
    /// </summary>
    public async Task<DeliveryResult?[]> DeliverAsync(RoomContext room, IReadOnlyList<string> tickets, DeliveryCause cause)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(tickets);
        var results = new DeliveryResult?[tickets.Count];
        var claim = new List<int>(tickets.Count);
        for (var i = 0; i < tickets.Count; i++)
        {
            if (TellOthers(room, tickets[i]) || cause == DeliveryCause.Page)
            {
                claim.Add(i);
            }
        }

        if (claim.Count == 0)
        {
            return results;
        }

        var deliveries = await room.Queue.DeliverAsync([.. claim.Select(i => tickets[i])], _instance);
        var fresh = cause is DeliveryCause.Connect or DeliveryCause.Page;
        for (var c = 0; c < claim.Count; c++)
        {
            var ticket = tickets[claim[c]];
            results[claim[c]] = deliveries[c];
            switch (deliveries[c])
            {
                case DeliveryResult.Delivered:
                case DeliveryResult.DeliveredBefore when fresh:
                    SendLinks(room, ticket);
                    break;
                case DeliveryResult.DeliveredBefore:
                    metrics.Duplicate(room.Name);
                    break;
                case DeliveryResult.Entered:
                    foreach (var session in room.SessionsOf(ticket).Where(s => s.IsOwner))
                    {
                        closer.Gone(session, EnteredReason);
                    }

                    break;
            }
        }

        return results;
    }

    /// <summary>
    /// Tells the ticket's connections of others than its visitor (no link, no delivery); true when a connection of its
    /// own visitor here still waits for its notice.
    /// </summary>
    private bool TellOthers(RoomContext room, string ticket)
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

        return ownerWaits;
    }

    private void SendLinks(RoomContext room, string ticket)
    {
        foreach (var session in room.SessionsOf(ticket))
        {
            if (session.IsOwner && session.TryMarkAdmitted())
            {
                Send(room, session);
            }
        }
    }

    /// <summary>The notice: with a fresh entry link for the visitor's own connection, without one for anyone else's.</summary>
    private void Send(RoomContext room, HubSession session)
    {
        ReadOnlyMemory<byte> message = session.IsOwner
            ? HubMessages.Admitted(tokens.IssueEntryLink(room.Name, room.Options, session.Visitor, session.PlaceTicket, timeProvider.GetUtcNow(), session.ReturnUrl))
            : HubMessages.AdmittedWithoutLink;
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

    /// <summary>Handles one batch from the room's channel; a Redis failure is logged (the next push tick delivers).</summary>
    public async Task OnBatchAsync(RoomContext room, IReadOnlyList<string> tickets)
    {
        try
        {
            await DeliverAsync(room, tickets, DeliveryCause.Batch);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Nothing claimed, nothing lost: the next push tick finds these tickets active and delivers.
            Log.NoticeFailed(logger, room.Name, tickets.Count, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.NoticeFailed, LogLevel.Warning, "Room {Room}: delivering {Count} admission notices failed; the next push tick retries")]
        public static partial void NoticeFailed(ILogger logger, string room, int count, Exception exception);
    }
}
