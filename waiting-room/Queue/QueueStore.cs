using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Redis;

namespace YarpWaitingRoom.Queue;

/// <summary>
/// One room's queue in Redis. Join, admit, reap, touch, end-session and redeem are each one Lua script: atomic and
/// one round trip. "Now" always comes from the <see cref="TimeProvider"/>, never from Redis's clock. Every call (or
/// pipelined batch) runs through the store's <see cref="RedisCallPolicy"/>. Thread-safe; hold one per room. Never stores
/// an <see cref="IDatabase"/>.
/// </summary>
internal sealed class QueueStore
{
    /// <summary>Approximate cap of the room's event stream (XADD MAXLEN ~).</summary>
    public const int EventsMaxLength = 100_000;

    /// <summary>Most events stream entries one <see cref="ReadFrontAsync"/> reads: bounds one read's run time.</summary>
    public const int PositionEventsPerRead = 10_000;

    /// <summary>Most expired sessions dropped, or stale visitors reaped, per call: bounds one script's run time.</summary>
    public const int MaxCleanupPerCall = 5_000;

    /// <summary>
    /// How long an admission batch or a reap may take before the policy calls Redis busy: bounded work
    /// (<see cref="MaxCleanupPerCall"/>, MaxActive) that a loaded Redis may take longer than a request's call to do, and
    /// that must not be given up on while the script still runs.
    /// </summary>
    public static readonly TimeSpan BatchCallTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long per-minute stats hashes live.</summary>
    public static readonly TimeSpan StatsRetention = TimeSpan.FromHours(1);

    /// <summary>
    /// The least time the room remembers why a ticket left (<see cref="GoneReason"/>), for a visitor who comes back to
    /// ask: well past any reconnect (AbandonAfter) or background-tab poll. See <see cref="GoneRetention"/>.
    /// </summary>
    public static readonly TimeSpan MinGoneRetention = TimeSpan.FromMinutes(10);

    /// <summary>
    /// What an ended admission's cookie may outlive its end by, beyond <see cref="RoomOptions.SessionDuration"/>: a cookie
    /// slid by one proxy moments before another ended the session, and the clock difference between the machines.
    /// </summary>
    public static readonly TimeSpan RevocationMargin = TimeSpan.FromMinutes(1);

    /// <summary>Time constant of the admission-rate average behind the ETA.</summary>
    public static readonly TimeSpan AdmitRateWindow = TimeSpan.FromMinutes(1);

    private static readonly string WaitBoundsArgument = string.Join(',', WaitBuckets.Bounds.Select(b => b.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    private readonly IConnectionMultiplexer _redis;
    private readonly TimeProvider _timeProvider;
    private readonly RedisCallPolicy _policy;
    private readonly RedisKey[] _joinKeys;
    private readonly RedisKey[] _touchKeys;
    private readonly RedisKey[] _statusKeys;
    private readonly RedisKey[] _networkKeys;
    private readonly RedisValue _channel;

    /// <param name="redis">The process's connection.</param>
    /// <param name="room">The room's name.</param>
    /// <param name="options">The room's settings.</param>
    /// <param name="timeProvider">"Now" of every call.</param>
    /// <param name="policy">What every Redis call runs through; by default none (<see cref="RedisCallPolicy.PassThrough"/>).</param>
    public QueueStore(IConnectionMultiplexer redis, string room, RoomOptions options, TimeProvider timeProvider, RedisCallPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);

        _redis = redis;
        _timeProvider = timeProvider;
        _policy = policy ?? RedisCallPolicy.PassThrough;
        Options = options;
        Keys = new RedisKeys(room);
        _joinKeys = [Keys.Visitors, Keys.Joined, Keys.Sequence, Keys.Waiting, Keys.Active, Keys.Seen, Keys.Schedule, Keys.Prequeue, Keys.PrequeueFrozen, Keys.Inventory];
        _networkKeys = [Keys.Networks, Keys.NetworkOf];
        _touchKeys = [Keys.Seen, Keys.Waiting, Keys.Active, Keys.ActiveSeen, Keys.Schedule, Keys.Prequeue, Keys.PrequeueFrozen, Keys.Visitors];
        _statusKeys = [Keys.Waiting, Keys.Active, Keys.GoneReasons, Keys.Schedule, Keys.Prequeue, Keys.PrequeueFrozen, Keys.Visitors, Keys.Participants];
        _channel = Keys.Notify.ToString();
        Schedule = new Scheduling.EventStore(redis, Keys, timeProvider);
        Draw = new Scheduling.SaleDraw(redis, Keys, timeProvider, _policy);
        RevokedFor = options.SessionDuration + RevocationMargin;
        GoneRetention = RevokedFor > MinGoneRetention ? RevokedFor : MinGoneRetention;
    }

    /// <summary>
    /// How long after an admission ended its cookie must still be refused: the longest an admission cookie issued
    /// before the end can remain valid (a full session) plus <see cref="RevocationMargin"/>.
    /// </summary>
    public TimeSpan RevokedFor { get; }

    /// <summary>
    /// How long the room keeps its departure logs (<see cref="RedisKeys.Gone"/>, <see cref="RedisKeys.Revoked"/>):
    /// <see cref="MinGoneRetention"/>, or <see cref="RevokedFor"/> when longer, so a proxy that starts (or reconnects)
    /// still finds every ended admission whose cookie could be presented.
    /// </summary>
    public TimeSpan GoneRetention { get; }

    public RedisKeys Keys { get; }

    /// <summary>The room's scheduled sale (admin API, public document).</summary>
    public Scheduling.EventStore Schedule { get; }

    /// <summary>The draw of the room's sale at its start (run by the admission lock's holder).</summary>
    public Scheduling.SaleDraw Draw { get; }

    public RoomOptions Options { get; }

    private IDatabase Db => _redis.GetDatabase();

    private long NowMs => _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// Joins (or re-joins) the queue. With <paramref name="queueOff"/>, admits at once if nobody waits and capacity is left
    /// (<c>MaxActive</c>, an operator's set at runtime over the configured one, and the inventory's <c>AdmitPerSeat</c>
    /// bound). A room that closes once sold out
    /// (<c>WhenSoldOut = Close</c>) with no seat left takes no new place: <see cref="JoinResult.SoldOut"/> (a visitor who
    /// holds one gets it back).
    /// Nothing but the place is kept: the caller puts the visitor's return URL into the ticket token.
    /// </summary>
    public Task<JoinResult> JoinAsync(string visitor, bool queueOff) => JoinAsync(visitor, queueOff, JoinConditions.Free);

    /// <summary>
    /// <see cref="JoinAsync(string, bool)"/> under <paramref name="conditions"/>: a held place is answered as ever; a new
    /// one is taken only if they allow it, and spends their proof in the same atomic step.
    /// </summary>
    public Task<JoinResult> JoinAsync(string visitor, bool queueOff, JoinConditions conditions) => _policy.RunAsync(async () =>
    {
        var now = NowMs;
        var proof = conditions.Proof;
        // The marker outlives the challenge by the clocks' margin: a proxy whose clock runs behind must still find it used.
        var proofTtl = proof is { } p ? Math.Max(1, (long)(p.ExpiresAt - _timeProvider.GetUtcNow() + Challenges.ChallengeService.UsedMarkerMargin).TotalMilliseconds) : 0;
        RedisKey[] keys = [.. _joinKeys, proof is { } used ? Keys.Proof(used.ChallengeIdText) : Keys.Proof("-"), .. _networkKeys, Keys.State];
        // The network cap counts only when the one in force is on (join.lua reads the operator's, else this configured one)
        // and the caller named the client's network.
        var network = conditions.Network ?? string.Empty;
        var result = (RedisResult[])(await LuaScripts.Join.EvaluateAsync(
            Db,
            keys,
            [visitor, TicketIds.New(), now, queueOff ? 1 : 0, Options.MaxActive, now + (long)Options.SessionDuration.TotalMilliseconds,
                Options.AdmitPerSeat, Options.WhenSoldOut == YarpWaitingRoom.Options.SoldOutPolicy.Close ? 1 : 0,
                conditions.MayTakePlace ? 1 : 0, proof is null ? RedisValue.EmptyString : proofTtl, network, Options.MaxPlacesPerNetwork]))!;
        var state = (string)result[1]! switch
        {
            "active" => TicketState.Active,
            "prequeue" => TicketState.Prequeue,
            "waiting" => TicketState.Waiting,
            _ => TicketState.Gone,
        };
        if (state == TicketState.Gone)
        {
            return JoinResult.Refused((string)result[1]! switch
            {
                "needs" => JoinRefusal.CredentialNeeded,
                "replayed" => JoinRefusal.ProofReplayed,
                "netcap" => JoinRefusal.NetworkCap,
                _ => JoinRefusal.SoldOut,
            });
        }

        return state == TicketState.Prequeue
            ? new JoinResult((string)result[0]!, state, 0, (long)result[3] == 1, ReceiptOf((string)result[4]!, (long)result[2]), StartsAtOf(result))
            : new JoinResult((string)result[0]!, state, (long)result[2], (long)result[3] == 1);
    });

    /// <summary>The sale's start a pre-queue join read with its own phase (its sixth value; none while frozen for the draw).</summary>
    private static DateTimeOffset? StartsAtOf(RedisResult[] result) =>
        result.Length > 5 && long.TryParse((string?)result[5], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;

    /// <summary>The receipt of pre-queue arrival <paramref name="arrival"/> under the sale's receipt key.</summary>
    private static string ReceiptOf(string receiptKey, long arrival) => Scheduling.Receipts.Of(Scheduling.Receipts.ParseKey(receiptKey), arrival);

    /// <summary>
    /// Admits the next batch under the caller's lock grant <paramref name="fence"/> (from <see cref="NextFenceAsync"/>):
    /// a call carrying an older fence than one already accepted changes nothing.
    /// </summary>
    public Task<AdmitResult> AdmitAsync(long fence, int limit = 0) => _policy.RunAsync(async () =>
    {
        var now = NowMs;
        var result = (RedisResult[])(await LuaScripts.Admit.EvaluateAsync(
            Db,
            [Keys.Waiting, Keys.Active, Keys.ActiveSeen, Keys.Joined, Keys.Visitors, Keys.Events, Keys.State, StatsKey(now), Keys.Gone, Keys.GoneReasons, Keys.Revoked, Keys.Departed, Keys.Schedule, Keys.Inventory, Keys.Networks, Keys.NetworkOf],
            [
                now, Options.MaxActive, now + (long)UndeliveredHold.TotalMilliseconds, fence, _channel, EventsMaxLength, limit,
                MaxCleanupPerCall, (long)StatsRetention.TotalSeconds, (long)AdmitRateWindow.TotalMilliseconds, WaitBoundsArgument,
                (long)Options.AdmitInterval.TotalMilliseconds, Options.AdmitPerSeat,
            ]))!;
        var list = (string?)result[5];
        return new AdmitResult(
            (int)result[0],
            (int)result[1],
            (long)result[2] == 1,
            (long)result[3],
            (long)result[4],
            string.IsNullOrEmpty(list) ? [] : list.Split(','),
            ParseWaits((string?)result[6]));
    }, BatchCallTimeout);

    /// <summary>
    /// How long a new admission is held before it is delivered: the claim window, or, when that is shorter, the time a
    /// visitor may be away and keep their place (AbandonAfter). An admission made while the visitor's connection was
    /// down is then still there when they reconnect, and its claim window starts once they are told
    /// (<see cref="DeliverAsync"/>).
    /// </summary>
    public TimeSpan UndeliveredHold => Options.ClaimWindow > Options.AbandonAfter ? Options.ClaimWindow : Options.AbandonAfter;

    private static WaitBucket[] ParseWaits(string? reply)
    {
        if (string.IsNullOrEmpty(reply))
        {
            return [];
        }

        var parts = reply.Split(',');
        var buckets = new WaitBucket[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            var colon = parts[i].IndexOf(':', StringComparison.Ordinal);
            buckets[i] = new WaitBucket(
                long.Parse(parts[i].AsSpan(0, colon), System.Globalization.CultureInfo.InvariantCulture),
                TimeSpan.FromMilliseconds(double.Parse(parts[i].AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture)));
        }

        return buckets;
    }

    private RedisKey StatsKey(long nowMs) => Keys.Stats(nowMs / 60_000);

    /// <summary>
    /// Records the room's inventory as observed at <paramref name="observedAt"/> by <paramref name="source"/> (a proxy
    /// flushing what responses said, an operator); <paramref name="remaining"/> null clears it (only an operator does).
    /// An observation older than the one kept changes nothing. Announces a change of sold out (<c>stock</c> notice).
    /// </summary>
    public Task<InventoryChange> SetInventoryAsync(long? remaining, DateTimeOffset observedAt, string source) => _policy.RunAsync(async () =>
    {
        if (remaining is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(remaining), remaining, "An inventory is never negative.");
        }

        var result = (RedisResult[])(await LuaScripts.Inventory.EvaluateAsync(
            Db,
            [Keys.Inventory],
            [remaining?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty, observedAt.ToUnixTimeMilliseconds(), source, _channel, NowMs]))!;
        static long? Number(RedisResult value) =>
            long.TryParse((string?)value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
        return new InventoryChange((long)result[0] == 1, Number(result[1]), Number(result[2]));
    });

    /// <summary>A fencing number for a new lock grant: strictly greater than every one handed out before.</summary>
    public Task<long> NextFenceAsync() => _policy.RunAsync(() => Db.HashIncrementAsync(Keys.State, RoomStateFields.FenceSequence));

    /// <summary>
    /// Removes visitors unseen for <see cref="RoomOptions.AbandonAfter"/>; one abandoned event each. Tells, in passing, how
    /// many client networks hold the <c>MaxPlacesPerNetwork</c> in force (the operator's, else the options') places now.
    /// </summary>
    public Task<ReapResult> ReapAsync(int limit = MaxCleanupPerCall) => _policy.RunAsync(async () =>
    {
        var now = NowMs;
        var cutoff = now - (long)Options.AbandonAfter.TotalMilliseconds;
        var result = (RedisResult[])(await LuaScripts.Reap.EvaluateAsync(
            Db,
            [Keys.Seen, Keys.Waiting, Keys.Active, Keys.Visitors, Keys.Events, StatsKey(now), Keys.Gone, Keys.GoneReasons, Keys.Revoked, Keys.ActiveSeen, Keys.State, Keys.Departed, Keys.Schedule, Keys.Prequeue, Keys.Networks, Keys.NetworkOf],
            [now, cutoff, limit, EventsMaxLength, _channel, (long)StatsRetention.TotalSeconds, now - (long)GoneRetention.TotalMilliseconds, Options.MaxPlacesPerNetwork]))!;
        return new ReapResult((int)result[0], (int)result[1], (long)result[2]);
    }, BatchCallTimeout);

    /// <summary>
    /// The waiting page's heartbeats of many tickets in one round trip, seen now; returns each ticket's state. An admitted
    /// ticket is kept seen only if it is watched already (<see cref="KeepAliveAsync"/> starts that): a heartbeat of the page
    /// that is leaving for the site never starts it.
    /// </summary>
    public async Task<TicketState[]> TouchAsync(IReadOnlyList<string> tickets)
    {
        ArgumentNullException.ThrowIfNull(tickets);
        if (tickets.Count == 0)
        {
            return [];
        }

        var args = new RedisValue[tickets.Count + 2];
        args[0] = NowMs;
        args[1] = 0;
        for (var i = 0; i < tickets.Count; i++)
        {
            args[i + 2] = tickets[i];
        }

        return await TouchAsync(args);
    }

    /// <summary>
    /// Keep-alives of pages on the site, many in one round trip, seen now: an admitted ticket is watched for abandonment
    /// (<c>active:seen</c>) from its first keep-alive on. Returns each ticket's state.
    /// </summary>
    public async Task<TicketState[]> KeepAliveAsync(IReadOnlyList<string> tickets)
    {
        ArgumentNullException.ThrowIfNull(tickets);
        if (tickets.Count == 0)
        {
            return [];
        }

        var args = new RedisValue[tickets.Count + 2];
        args[0] = NowMs;
        args[1] = 1;
        for (var i = 0; i < tickets.Count; i++)
        {
            args[i + 2] = tickets[i];
        }

        return await TouchAsync(args);
    }

    private async Task<TicketState[]> TouchAsync(RedisValue[] args)
    {
        var result = (RedisResult[])(await _policy.RunAsync(() => LuaScripts.Touch.EvaluateAsync(Db, _touchKeys, args)))!;
        var states = new TicketState[result.Length];
        for (var i = 0; i < result.Length; i++)
        {
            states[i] = (TicketState)(int)result[i];
        }

        return states;
    }

    /// <summary>
    /// Gives up a place in the queue or the pre-queue on purpose (after the draw a pre-queue ticket leaves its drawn
    /// place): freed at once, one <c>left</c> event. An admitted ticket is not left here (the session ends on the site).
    /// </summary>
    public Task<LeaveResult> LeaveAsync(string ticket) => _policy.RunAsync(async () =>
        (LeaveResult)(int)await LuaScripts.Leave.EvaluateAsync(
            Db,
            [Keys.Waiting, Keys.Departed, Keys.Seen, Keys.Visitors, Keys.Gone, Keys.GoneReasons, Keys.Events, Keys.State, Keys.Schedule, Keys.Prequeue, Keys.PrequeueFrozen, Keys.Networks, Keys.NetworkOf],
            [ticket, NowMs, EventsMaxLength]));

    /// <summary>Ends an active session now; returns whether it was active (capacity freed).</summary>
    public Task<bool> EndSessionAsync(string ticket, string reason) => _policy.RunAsync(async () =>
    {
        var now = NowMs;
        return (int)await LuaScripts.EndSession.EvaluateAsync(
            Db,
            [Keys.Active, Keys.ActiveSeen, Keys.Visitors, Keys.Events, StatsKey(now), Keys.Gone, Keys.GoneReasons, Keys.Revoked],
            [ticket, now, reason, EventsMaxLength, _channel, (long)StatsRetention.TotalSeconds]) == 1;
    });

    /// <summary>
    /// The waiting places per client network, for operators: how many networks hold one, how many hold
    /// <paramref name="maxPlacesPerNetwork"/> (the cap in force, <see cref="Switch.RoomSnapshot.MaxPlacesPerNetworkOf"/>;
    /// 0 = off) or more, and the <paramref name="top"/> busiest. Bounded whatever the number of networks: the counts are a
    /// sorted set by count, so this is a ZCARD, a ZCOUNT and a ZREVRANGE of <paramref name="top"/> (O(log N + top)) in one
    /// pipelined batch; nothing is scanned.
    /// </summary>
    public Task<NetworkPlaces> GetNetworkPlacesAsync(int top, int maxPlacesPerNetwork) => _policy.RunAsync(async () =>
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);
        var batch = Db.CreateBatch();
        var networks = batch.SortedSetLengthAsync(Keys.Networks);
        var atCap = maxPlacesPerNetwork > 0 ? batch.SortedSetLengthAsync(Keys.Networks, maxPlacesPerNetwork) : Task.FromResult(0L);
        var busiest = batch.SortedSetRangeByRankWithScoresAsync(Keys.Networks, 0, top - 1, Order.Descending);
        batch.Execute();
        var entries = await busiest;
        var counts = new NetworkCount[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            counts[i] = new NetworkCount(entries[i].Element!, (long)entries[i].Score);
        }

        return new NetworkPlaces(await networks, await atCap, counts);
    });

    /// <summary>
    /// Counts of the last minutes, in one round trip: admitted and abandoned per minute (sliding: this minute plus the
    /// unexpired share of the one before) and the median time in queue of those admitted over <paramref name="medianOver"/>.
    /// </summary>
    public Task<RoomStats> GetStatsAsync(TimeSpan medianOver) => _policy.RunAsync(async () =>
    {
        var now = _timeProvider.GetUtcNow();
        var minute = now.ToUnixTimeSeconds() / 60;
        var minutes = Math.Max(2, (int)Math.Ceiling(medianOver.TotalMinutes));
        var batch = Db.CreateBatch();
        var reads = new Task<HashEntry[]>[minutes];
        for (var i = 0; i < minutes; i++)
        {
            reads[i] = batch.HashGetAllAsync(Keys.Stats(minute - i));
        }

        batch.Execute();
        var hashes = await Task.WhenAll(reads);
        var elapsedShare = (now.ToUnixTimeMilliseconds() % 60_000) / 60_000d;
        double PerMinute(string field) =>
            Field(hashes[0], field) + Field(hashes[1], field) * (1 - elapsedShare);

        var histogram = new long[WaitBuckets.Bounds.Length + 1];
        foreach (var hash in hashes)
        {
            for (var b = 0; b < histogram.Length; b++)
            {
                histogram[b] += (long)Field(hash, "w" + (b + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return new RoomStats(PerMinute("admitted"), PerMinute("abandoned"), PerMinute("expired"), PerMinute("ended"), WaitBuckets.Median(histogram));
    });

    private static double Field(HashEntry[] hash, string name)
    {
        foreach (var entry in hash)
        {
            if (entry.Name == name)
            {
                return (double)entry.Value;
            }
        }

        return 0;
    }

    /// <summary>Redeems the one-time entry code of <paramref name="ticket"/>'s admission, starting a full session.</summary>
    public Task<RedeemResult> RedeemAsync(string ticket) => _policy.RunAsync(async () =>
    {
        var markerTtl = (long)(Options.ClaimWindow + Options.SessionDuration).TotalMilliseconds;
        var result = (int)await LuaScripts.Redeem.EvaluateAsync(
            Db,
            [Keys.UsedCode(ticket), Keys.Active],
            [ticket, NowMs + (long)Options.SessionDuration.TotalMilliseconds, markerTtl]);
        return result switch
        {
            1 => RedeemResult.Redeemed,
            0 => RedeemResult.AlreadyUsed,
            _ => RedeemResult.AdmissionGone,
        };
    });

    /// <summary>Slides an active session's expiry forward (never backward, never re-creating it).</summary>
    public Task<bool> RefreshSessionAsync(string ticket) => _policy.RunAsync(async () =>
        (long)await Db.ExecuteAsync("ZADD", Keys.Active, "XX", "GT", "CH", NowMs + (long)Options.SessionDuration.TotalMilliseconds, ticket) == 1);

    /// <summary>Where a ticket stands, in one round trip (<see cref="GetStatusesAsync"/> for one).</summary>
    public async Task<TicketStatus> GetStatusAsync(string ticket) => (await GetStatusesAsync([ticket]))[0];

    /// <summary>
    /// Where many tickets stand: one script call per <paramref name="chunkSize"/> tickets, all in flight together (the
    /// hub's push tick). Position while waiting, admitted while active and not past its deadline, else gone with the
    /// recorded reason.
    /// </summary>
    public async Task<TicketStatus[]> GetStatusesAsync(IReadOnlyList<string> tickets, int chunkSize = 1000)
    {
        ArgumentNullException.ThrowIfNull(tickets);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkSize);
        var now = NowMs;
        var calls = new Task<RedisResult>[(tickets.Count + chunkSize - 1) / chunkSize];
        for (var c = 0; c < calls.Length; c++)
        {
            var offset = c * chunkSize;
            var args = new RedisValue[1 + Math.Min(chunkSize, tickets.Count - offset)];
            args[0] = now;
            for (var i = 1; i < args.Length; i++)
            {
                args[i] = tickets[offset + i - 1];
            }

            calls[c] = _policy.RunAsync(() => LuaScripts.Status.EvaluateAsync(Db, _statusKeys, args));
        }

        var statuses = new TicketStatus[tickets.Count];
        for (var c = 0; c < calls.Length; c++)
        {
            var reply = (RedisResult[])(await calls[c])!;
            var receiptKeyText = (string?)reply[^1];
            var receiptKey = string.IsNullOrEmpty(receiptKeyText) ? null : Scheduling.Receipts.ParseKey(receiptKeyText);
            for (var i = 0; i < reply.Length / 5; i++)
            {
                var at = 5 * i;
                var placed = (string?)reply[at + 3];
                var receipt = (string?)reply[at + 4];
                statuses[(c * chunkSize) + i] = (long)reply[at] switch
                {
                    1 => new TicketStatus(TicketState.Waiting, (long)reply[at + 1], Sequence: (long)reply[at + 2], Receipt: string.IsNullOrEmpty(receipt) ? null : receipt),
                    2 => new TicketStatus(TicketState.Active, 0),
                    3 => new TicketStatus(TicketState.Prequeue, 0, Receipt: Scheduling.Receipts.Of(receiptKey!, (long)reply[at + 1])),
                    _ => new TicketStatus(TicketState.Gone, 0, ParseGoneReason((string?)reply[at + 1])),
                } with { Placed = string.IsNullOrEmpty(placed) ? null : placed };
            }
        }

        return statuses;
    }

    /// <summary>
    /// The queue's front and its departures from the middle (<c>positions.lua</c>, one round trip, read only): whole when
    /// <paramref name="afterEventId"/> is null (every departed sequence above the front), else the departures the events
    /// stream carries after that id, at most <paramref name="maxEvents"/> entries. With <paramref name="probeTicket"/>,
    /// also that ticket's ZRANK + 1 at the same moment, to check a <see cref="PositionBook"/> against.
    /// </summary>
    public Task<QueueFront> ReadFrontAsync(string? afterEventId, string? probeTicket = null, int maxEvents = PositionEventsPerRead) => _policy.RunAsync(async () =>
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEvents);
        var reply = (RedisResult[])(await LuaScripts.Positions.EvaluateAsync(
            Db,
            [Keys.Waiting, Keys.Sequence, Keys.Events, Keys.Departed, Keys.State, Keys.Schedule],
            [afterEventId ?? string.Empty, maxEvents, probeTicket ?? string.Empty]))!;
        var items = (RedisResult[])reply[5]!;
        long[] departed = [];
        QueueDeparture[] departures = [];
        if (afterEventId is null)
        {
            departed = new long[items.Length];
            for (var i = 0; i < items.Length; i++)
            {
                departed[i] = (long)items[i];
            }
        }
        else
        {
            departures = new QueueDeparture[items.Length / 3];
            for (var i = 0; i < departures.Length; i++)
            {
                var sequence = (string?)items[(3 * i) + 2];
                departures[i] = new QueueDeparture(
                    ParseGoneReason((string?)items[3 * i]),
                    (string)items[(3 * i) + 1]!,
                    string.IsNullOrEmpty(sequence) ? 0 : long.Parse(sequence, System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return new QueueFront(
            long.Parse((string)reply[0]!, System.Globalization.CultureInfo.InvariantCulture),
            (long)reply[1],
            (string)reply[2]!,
            (long)reply[3] == 1,
            (long)reply[4],
            departed,
            departures);
    });

    /// <summary>
    /// The admissions that ended (ended, expired, reaped while admitted) at or after <paramref name="sinceMs"/>, oldest
    /// first, with when each ended (one round trip). Scores never go backwards, so polling again from the newest
    /// returned misses nothing (the ones at that very score come again).
    /// </summary>
    public async Task<RevokedAdmission[]> RevokedSinceAsync(long sinceMs)
    {
        var entries = await _policy.RunAsync(() => Db.SortedSetRangeByScoreWithScoresAsync(Keys.Revoked, sinceMs, double.PositiveInfinity));
        var revoked = new RevokedAdmission[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            revoked[i] = new RevokedAdmission((string)entries[i].Element!, (long)entries[i].Score);
        }

        return revoked;
    }

    /// <summary>Why each of these tickets left (one round trip); <see cref="GoneReason.Unknown"/> where nothing is recorded.</summary>
    public async Task<GoneReason[]> GoneReasonsAsync(IReadOnlyList<string> tickets)
    {
        ArgumentNullException.ThrowIfNull(tickets);
        if (tickets.Count == 0)
        {
            return [];
        }

        var fields = new RedisValue[tickets.Count];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = tickets[i];
        }

        var values = await _policy.RunAsync(() => Db.HashGetAsync(Keys.GoneReasons, fields));
        var reasons = new GoneReason[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            reasons[i] = ParseGoneReason(values[i]);
        }

        return reasons;
    }

    /// <summary>The scripts' departure words, which are the event types of the same departures.</summary>
    public static GoneReason ParseGoneReason(RedisValue value) => (string?)value switch
    {
        Events.WaitingRoomEventType.Expired => GoneReason.Expired,
        Events.WaitingRoomEventType.Abandoned => GoneReason.Abandoned,
        Events.WaitingRoomEventType.Ended => GoneReason.Ended,
        Events.WaitingRoomEventType.Left => GoneReason.Left,
        _ => GoneReason.Unknown,
    };

    /// <summary>
    /// Delivers the admissions of <paramref name="tickets"/>, exactly once each across every hub and proxy (one round
    /// trip, a few Redis commands per thousand tickets). Only a <see cref="DeliveryResult.Delivered"/> ticket is the
    /// caller's to notify; its claim window restarts now. A ticket whose visitor entered already is
    /// <see cref="DeliveryResult.Entered"/> and gets no delivery written.
    /// </summary>
    /// <param name="tickets">The tickets to deliver.</param>
    /// <param name="deliveredBy">Who delivers (a hub instance, a proxy): written beside the ticket for diagnosis.</param>
    public async Task<DeliveryResult[]> DeliverAsync(IReadOnlyList<string> tickets, string deliveredBy)
    {
        ArgumentNullException.ThrowIfNull(tickets);
        if (tickets.Count == 0)
        {
            return [];
        }

        var now = NowMs;
        var window = NoticeWindow(now);
        var claimWindowMs = (long)Options.ClaimWindow.TotalMilliseconds;
        var keys = new RedisKey[3 + tickets.Count];
        var args = new RedisValue[4 + tickets.Count];
        keys[0] = Keys.Active;
        keys[1] = Keys.Notices(window);
        keys[2] = Keys.Notices(window - 1);
        args[0] = now;
        args[1] = now + claimWindowMs;
        args[2] = 2 * claimWindowMs;
        args[3] = deliveredBy;
        for (var i = 0; i < tickets.Count; i++)
        {
            keys[3 + i] = Keys.UsedCode(tickets[i]);
            args[4 + i] = tickets[i];
        }

        var result = (RedisResult[])(await _policy.RunAsync(() => LuaScripts.Deliver.EvaluateAsync(Db, keys, args)))!;
        var deliveries = new DeliveryResult[result.Length];
        for (var i = 0; i < result.Length; i++)
        {
            deliveries[i] = (DeliveryResult)(int)result[i];
        }

        return deliveries;
    }

    /// <summary>
    /// Who delivered <paramref name="ticket"/>'s admission (<see cref="DeliverAsync"/>'s <c>deliveredBy</c>), while that
    /// delivery still matters (within the claim window it restarted); <see langword="null"/> when nobody did.
    /// </summary>
    public Task<string?> DeliveredByAsync(string ticket) => _policy.RunAsync(async () =>
    {
        var window = NoticeWindow(NowMs);
        var batch = Db.CreateBatch();
        var current = batch.HashGetAsync(Keys.Notices(window), ticket);
        var before = batch.HashGetAsync(Keys.Notices(window - 1), ticket);
        batch.Execute();
        var by = await current;
        return by.IsNull ? (string?)await before : (string?)by;
    });

    /// <summary>The claim window (counted from the epoch) that <paramref name="nowMs"/> falls in: deliveries are kept per window.</summary>
    private long NoticeWindow(long nowMs) => nowMs / Math.Max(1, (long)Options.ClaimWindow.TotalMilliseconds);

    /// <summary>
    /// Empties the room between rehearsals: queue, sessions, visitors, tickets, switch state and mode, rates, stats,
    /// markers, departure logs and the scheduled sale; keeps the event stream, the lock keys and the admission fencing; then announces the
    /// new state on the room's channel so every instance re-reads it at once (<see cref="RoomReset"/>).
    /// </summary>
    public Task<RoomResetResult> ResetAsync(CancellationToken cancellationToken = default) =>
        RoomReset.RunAsync(_redis, _policy, Keys, cancellationToken);

    /// <summary>The gates' tally of entry checks (<see cref="RedisKeys.EntryTally"/>), field → count; absent fields are 0.</summary>
    public Task<HashEntry[]> ReadEntryTallyAsync() => _policy.RunAsync(() => Db.HashGetAllAsync(Keys.EntryTally));

    /// <summary>Waiting and active counts, in one round trip.</summary>
    public Task<(long Waiting, long Active)> CountsAsync() => _policy.RunAsync(async () =>
    {
        var batch = Db.CreateBatch();
        var waiting = batch.SortedSetLengthAsync(Keys.Waiting);
        var active = batch.SortedSetLengthAsync(Keys.Active);
        batch.Execute();
        return (await waiting, await active);
    });

    /// <summary>
    /// Writes an operator's action to the room's events stream (the audit trail the console's timeline shows, beside the
    /// switches and batches): who, what, in words, when.
    /// </summary>
    public Task RecordOperatorActionAsync(string operatorName, string action, string detail) => _policy.RunAsync(() =>
        Db.StreamAddAsync(
            Keys.Events,
            [
                new NameValueEntry(Events.WaitingRoomEventFields.Type, Events.WaitingRoomEventType.Operator),
                new NameValueEntry(Events.WaitingRoomEventFields.Operator, operatorName),
                new NameValueEntry(Events.WaitingRoomEventFields.Action, action),
                new NameValueEntry(Events.WaitingRoomEventFields.Detail, detail),
                new NameValueEntry(Events.WaitingRoomEventFields.At, NowMs),
            ],
            maxLength: EventsMaxLength,
            useApproximateMaxLength: true));

    /// <summary>
    /// The events an operator follows (switches, operator actions, admission batches, draws) from the room's stream,
    /// oldest first, without the fields that name visitors (timeline.lua): after <paramref name="afterId"/>, or with
    /// null the newest ones. Looks at most at <paramref name="scan"/> stream entries and returns at most
    /// <paramref name="most"/>; read on from the returned id.
    /// </summary>
    public Task<(string LastId, TimelineEntry[] Entries)> ReadTimelineAsync(string? afterId, int scan, int most) => _policy.RunAsync(async () =>
    {
        var reply = (RedisResult[])(await LuaScripts.Timeline.EvaluateAsync(Db, [Keys.Events], [afterId ?? string.Empty, scan, most]))!;
        var entries = new TimelineEntry[reply.Length - 1];
        for (var i = 1; i < reply.Length; i++)
        {
            var values = (RedisResult[])reply[i]!;
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var f = 1; f + 1 < values.Length; f += 2)
            {
                fields[(string)values[f]!] = (string)values[f + 1]!;
            }

            entries[i - 1] = new TimelineEntry((string)values[0]!, fields);
        }

        return ((string)reply[0]!, entries);
    });
}
