using StackExchange.Redis;

namespace YarpWaitingRoom.Redis;

/// <summary>
/// Every Redis key of one room. All keys share the hash tag <c>{wr:&lt;room&gt;}</c>, so a room lives in
/// one Redis Cluster slot and its Lua scripts may touch all of them atomically.
/// Instances are immutable and meant to be cached per room: building keys allocates.
/// </summary>
internal sealed class RedisKeys
{
    private readonly string _prefix;
    private readonly string _usedCodePrefix;
    private readonly string _ratePrefix;
    private readonly string _statsPrefix;
    private readonly string _noticePrefix;
    private readonly string _drawingPrefix;
    private readonly string _proofPrefix;

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
        ActiveSeen = _prefix + "active:seen";
        State = _prefix + "state";
        Joined = _prefix + "joined";
        Visitors = _prefix + "visitors";
        Events = _prefix + "events";
        Gone = _prefix + "gone";
        GoneReasons = _prefix + "gone:why";
        Revoked = _prefix + "revoked";
        Departed = _prefix + "departed";
        Schedule = _prefix + "schedule";
        Prequeue = _prefix + "prequeue";
        PrequeueFrozen = _prefix + "prequeue:frozen";
        Participants = _prefix + "participants";
        Inventory = _prefix + "inventory";
        EntryTally = _prefix + "entry:tally";
        Networks = _prefix + "nets";
        NetworkOf = _prefix + "netof";
        Notify = RedisChannel.Sharded(_prefix + "notify");
        _usedCodePrefix = _prefix + "code:";
        _ratePrefix = _prefix + "rate:";
        _statsPrefix = _prefix + "stats:";
        _noticePrefix = _prefix + "notices:";
        _drawingPrefix = _prefix + "drawing:";
        _proofPrefix = _prefix + "proof:";
        ItemKeyPrefixes = [_usedCodePrefix, _noticePrefix, _ratePrefix, _statsPrefix, _drawingPrefix];
        ScanPattern = GlobEscape(_prefix) + "*";
    }

    public string Room { get; }

    /// <summary>String, INCR: ticket order.</summary>
    public RedisKey Sequence { get; }

    /// <summary>
    /// Sorted set visitor → sequence (strict FIFO). Keyed by visitor, one place each, so the join finds a waiting visitor's
    /// place here; the place's ticket is <c>&lt;visitor&gt;.&lt;sequence&gt;</c> (<see cref="Queue.TicketIds"/>).
    /// </summary>
    public RedisKey Waiting { get; }

    /// <summary>Sorted set ticket → session expiry (ms since epoch).</summary>
    public RedisKey Active { get; }

    /// <summary>
    /// Sorted set ticket → last heartbeat (ms since epoch) of a waiting place, scanned by the reaper. An admitted ticket's
    /// entry is left for the reaper to drop (the admit script removes nothing from this million-member set).
    /// </summary>
    public RedisKey Seen { get; }

    /// <summary>
    /// Sorted set ticket → last heartbeat (ms since epoch) of an admitted visitor, from its first heartbeat after the
    /// admission; scanned by the reaper.
    /// </summary>
    public RedisKey ActiveSeen { get; }

    /// <summary>
    /// Hash: mode, queueOn, since, reason, switch timers, admission fencing, and the operator's runtime settings (challenge,
    /// MaxActive: read by join and admit); fields in <see cref="Protocol.RoomStateFields"/>.
    /// </summary>
    public RedisKey State { get; }

    /// <summary>
    /// Sorted set epoch second → the first sequence that joined in it (one mark per second with joins, written NX by the
    /// join): a waiting visitor's join time, to the second, is the newest mark at or below its sequence. The admit script
    /// reads the batch's marks for the wait histogram and drops the ones below them.
    /// </summary>
    public RedisKey Joined { get; }

    /// <summary>
    /// Hash visitor → ticket of an admitted visitor (active): joining again finds the admission. A waiting visitor needs
    /// none (<see cref="Waiting"/> is keyed by visitor). Entries leave with their admission (expiry, reaper, end of session).
    /// </summary>
    public RedisKey Visitors { get; }

    /// <summary>Stream of <see cref="Events.WaitingRoomEventType"/> entries, read by consumer groups.</summary>
    public RedisKey Events { get; }

    /// <summary>
    /// Sorted set ticket → when it left (ms since epoch), for tickets that lost their place or admission; kept for
    /// <see cref="Queue.QueueStore.GoneRetention"/> so a visitor who comes back is told why (trimmed by the reaper).
    /// </summary>
    public RedisKey Gone { get; }

    /// <summary>Hash ticket → why it left (<c>expired</c>, <c>abandoned</c>, <c>ended</c>), beside <see cref="Gone"/>.</summary>
    public RedisKey GoneReasons { get; }

    /// <summary>
    /// Sorted set ticket → when its admission ended (ms since epoch; ended, expired or reaped while admitted): the log
    /// every proxy follows to refuse that admission's cookie. Scores never go backwards (each script writes at least the
    /// newest score already there), so a reader that polls from the last score it saw misses nothing whatever the
    /// writers' clocks. Kept for <see cref="Queue.QueueStore.GoneRetention"/> (trimmed by the reaper).
    /// </summary>
    public RedisKey Revoked { get; }

    /// <summary>
    /// Sorted set sequence → sequence: the waiting tickets that left from the middle of the queue (reaped, ...), kept
    /// until admission passes them. With the front they make every place computable without a ZRANK
    /// (<see cref="Queue.PositionBook"/>); counted in the state's <see cref="Protocol.RoomStateFields.Departed"/>.
    /// </summary>
    public RedisKey Departed { get; }

    /// <summary>
    /// Hash: the room's scheduled sale (<see cref="Scheduling.ScheduledEvent"/>: name, pre-queue and start times, order),
    /// its secret seed and public commitment, and after the draw its state, participants and digest.
    /// </summary>
    public RedisKey Schedule { get; }

    /// <summary>
    /// Sorted set visitor → arrival number, while a sale's pre-queue is open: who takes part in the draw. The arrival
    /// number comes from the schedule's <c>arrivals</c> counter; the participant's receipt is made from it
    /// (<see cref="Scheduling.Receipts"/>). A participant's heartbeat is kept in <see cref="Seen"/> under its pre-queue
    /// ticket <c>&lt;visitor&gt;.p</c>.
    /// </summary>
    public RedisKey Prequeue { get; }

    /// <summary>The pre-queue as frozen at the start (renamed from <see cref="Prequeue"/>): what the draw orders. Gone once drawn.</summary>
    public RedisKey PrequeueFrozen { get; }

    /// <summary>
    /// Hash <c>remaining</c>, <c>at</c> (ms of the observation), <c>source</c>: the latest inventory the room knows
    /// (<c>inventory.lua</c>: an older observation never overwrites a newer one). Absent: no inventory known.
    /// </summary>
    public RedisKey Inventory { get; }

    /// <summary>
    /// Hash of counters of what the gates did with visitors without a place (challenges issued and solved, proofs refused
    /// and replayed, invitation keys refused), summed over every proxy: each adds what it counted once a second.
    /// </summary>
    public RedisKey EntryTally { get; }

    /// <summary>
    /// Sorted set client network → waiting places held from it (the queue's and the pre-queue's; never a direct admission),
    /// for <see cref="Options.RoomOptions.MaxPlacesPerNetwork"/>: a network's member goes when its count reaches 0. Counted
    /// by the join, released by admission, the reaper and leaving (<c>prelude.lua</c>'s <c>release_networks</c>).
    /// </summary>
    public RedisKey Networks { get; }

    /// <summary>Hash visitor → client network, of the visitors counted in <see cref="Networks"/> (one field per waiting place).</summary>
    public RedisKey NetworkOf { get; }

    /// <summary>List of the drawn participants' receipts in drawn order (position = index + 1): the published draw.</summary>
    public RedisKey Participants { get; }

    /// <summary>Sorted set visitor → sequence: a draw's order staged in chunks by the drawer of lock grant <paramref name="fence"/>, with a TTL until it is swapped in.</summary>
    public RedisKey DrawingPlaces(long fence) => _drawingPrefix + fence.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":places";

    /// <summary>List of receipts in drawn order, staged beside <see cref="DrawingPlaces"/>; renamed to <see cref="Participants"/> by the swap.</summary>
    public RedisKey DrawingOrder(long fence) => _drawingPrefix + fence.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":order";

    /// <summary>
    /// Sharded Pub/Sub channel (SPUBLISH / SSUBSCRIBE, Redis 7.0+) for admission batches and state changes. It carries the
    /// room's hash tag, so in Redis Cluster a message stays on the shard that owns the room instead of being broadcast to
    /// every node, and the scripts that publish it stay within their slot; on a single Redis it works like plain Pub/Sub.
    /// </summary>
    public RedisChannel Notify { get; }

    /// <summary>String NX with TTL: marks a one-time entry code as used.</summary>
    public RedisKey UsedCode(string codeId) => _usedCodePrefix + codeId;

    /// <summary>
    /// String NX with TTL (until the challenge expires, plus a margin): marks the proof-of-work challenge
    /// <paramref name="challengeId"/> as solved and used (by the join that took a place with it: join.lua). Not among
    /// <see cref="ItemKeyPrefixes"/>: a reset leaves a used proof used; the marker goes by itself within minutes.
    /// </summary>
    public RedisKey Proof(string challengeId) => _proofPrefix + challengeId;

    public RedisKey Rate(long epochSecond) => _ratePrefix + epochSecond.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Hash, TTL: one minute's counts (admitted, abandoned, expired, ended, wait-histogram buckets <c>w1..wN</c>).</summary>
    public RedisKey Stats(long epochMinute) => _statsPrefix + epochMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Name of a room-scoped distributed lock (switch lease, admission), as a lock resource string.</summary>
    public string Lock(string purpose) => _prefix + "lock:" + purpose;

    /// <summary>
    /// Hash ticket → who delivered, with TTL: the admissions delivered (a hub sent the notice, or a poll the link) in the
    /// <paramref name="claimWindow"/>-th claim window since the epoch (deliver.lua).
    /// </summary>
    public RedisKey Notices(long claimWindow) => _noticePrefix + claimWindow.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The prefixes of the room's keys made per item (entry-code and notice markers, per-second rates, per-minute stats,
    /// a draw's staging):
    /// no script knows them in advance, so a reset finds them by SCAN (<see cref="ScanPattern"/>). Lock keys are not among them.
    /// </summary>
    public IReadOnlyList<string> ItemKeyPrefixes { get; }

    /// <summary>SCAN MATCH pattern of every key of the room (the room name glob-escaped, so it matches no other room's keys).</summary>
    public string ScanPattern { get; }

    private static string GlobEscape(string text)
    {
        var escaped = new System.Text.StringBuilder(text.Length + 4);
        foreach (var c in text)
        {
            if (c is '*' or '?' or '[' or ']' or '\\')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }
}
