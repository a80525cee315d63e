using StackExchange.Redis;

namespace YarpWaitingRoom.Redis;

/// <summary>
/// Every Redis key of one room. All keys share the hash tag <c>{wr:&lt;room&gt;}</c>, so a room lives in
/// one Redis Cluster slot and its Lua scripts may touch all of them atomically.
/// Instances are immutable and meant to be cached per room: building keys allocates.
/// </summary>
public sealed class RedisKeys
{
    private readonly string _prefix;

    public RedisKeys(string room)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(room);
        if (room.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            throw new ArgumentException("A room name may not contain '{' or '}'.", nameof(room));
        }

        Room = room;
        _prefix = "{wr:" + room + "}:";
        Sequence = _prefix + "seq";
        Waiting = _prefix + "waiting";
        Active = _prefix + "active";
        Seen = _prefix + "seen";
        State = _prefix + "state";
        Events = _prefix + "events";
        Notify = RedisChannel.Literal(_prefix + "notify");
    }

    public string Room { get; }

    /// <summary>String, INCR: ticket order.</summary>
    public RedisKey Sequence { get; }

    /// <summary>Sorted set ticket → sequence (strict FIFO).</summary>
    public RedisKey Waiting { get; }

    /// <summary>Sorted set ticket → session expiry (ms since epoch).</summary>
    public RedisKey Active { get; }

    /// <summary>Sorted set ticket → last heartbeat (ms since epoch), scanned by the reaper.</summary>
    public RedisKey Seen { get; }

    /// <summary>Hash: mode, queueOn, since, reason.</summary>
    public RedisKey State { get; }

    /// <summary>Stream of <see cref="Events.WaitingRoomEventType"/> entries, read by consumer groups.</summary>
    public RedisKey Events { get; }

    /// <summary>Pub/Sub channel for admission batches and state changes.</summary>
    public RedisChannel Notify { get; }

    public RedisKey Ticket(string ticketId) => _prefix + "t:" + ticketId;

    public RedisKey Visitor(string visitorId) => _prefix + "v:" + visitorId;

    public RedisKey Rate(long epochSecond) => _prefix + "rate:" + epochSecond.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public RedisKey Notice(string ticketId) => _prefix + "notice:" + ticketId;
}
