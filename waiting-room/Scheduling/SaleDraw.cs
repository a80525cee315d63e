using System.Globalization;
using StackExchange.Redis;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Redis;

namespace YarpWaitingRoom.Scheduling;

/// <summary>
/// Draws a room's sale at its start, run by the admission lock's holder with its fencing token. Three steps:
/// <list type="number">
/// <item><c>draw-freeze.lua</c> freezes the pre-queue (if a join after the start has not already) and reserves the
/// participants' sequences, in one atomic step: everyone who joins from then on queues behind them;</item>
/// <item>the participants are read in chunks, their receipts, digest and keys computed here (Redis' Lua has no
/// SHA-256; <see cref="LotteryDraw.Draw"/>), and the drawn order staged aside in chunks under keys of this grant, which
/// expire by themselves if the drawer dies;</item>
/// <item><c>draw-swap.lua</c> swaps the staged order in, atomically and only for the newest lock grant.</item>
/// </list>
/// Visitors see the pre-queue or the drawn queue, never a half-drawn one; a drawer that dies anywhere leaves the frozen
/// pre-queue, which the next lock holder draws again to the same order (same seed, same participants).
/// </summary>
internal sealed class SaleDraw
{
    /// <summary>Participants read per call.</summary>
    public const int ReadChunk = 20_000;

    /// <summary>Members written per command when staging.</summary>
    public const int WriteChunk = 5_000;

    /// <summary>
    /// Reads (or pairs of staging writes) in flight at once: enough to keep Redis busy, few enough that each answers well
    /// within the client's timeout, which counts from when a command is queued, on a loaded machine.
    /// </summary>
    public const int InFlight = 4;

    /// <summary>How long a staged order outlives a drawer that died before swapping it in.</summary>
    public static readonly TimeSpan StagingLifetime = TimeSpan.FromMinutes(10);

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKeys _keys;
    private readonly TimeProvider _timeProvider;
    private readonly RedisCallPolicy _policy;

    public SaleDraw(IConnectionMultiplexer redis, RedisKeys keys, TimeProvider timeProvider, RedisCallPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _redis = redis;
        _keys = keys;
        _timeProvider = timeProvider;
        _policy = policy ?? RedisCallPolicy.PassThrough;
    }

    private IDatabase Db => _redis.GetDatabase();

    /// <summary>Draws the sale if its start has come and it is not drawn yet, under lock grant <paramref name="fence"/>.</summary>
    public async Task<DrawResult> DrawAsync(long fence)
    {
        var started = _timeProvider.GetTimestamp();
        var frozen = (RedisResult[])(await _policy.RunAsync(() => LuaScripts.DrawFreeze.EvaluateAsync(
            Db, [_keys.Schedule, _keys.Prequeue, _keys.PrequeueFrozen, _keys.Sequence], [NowMs]), QueueStore.BatchCallTimeout))!;
        var phase = (string)frozen[0]!;
        if (phase != "drawing")
        {
            return new DrawResult(phase == "drawn" ? DrawOutcome.AlreadyDrawn : DrawOutcome.NotDue, 0, TimeSpan.Zero, default);
        }

        var firstSeq = long.Parse((string)frozen[1]!, CultureInfo.InvariantCulture);
        var count = int.Parse((string)frozen[2]!, CultureInfo.InvariantCulture);
        var frozenAt = (string)frozen[3]!;
        var order = Enum.Parse<DrawOrder>((string)frozen[4]!);
        var seed = (string)frozen[5]!;
        var receiptKey = Receipts.ParseKey((string)frozen[6]!);

        var frozenIn = _timeProvider.GetElapsedTime(started);
        var (visitors, arrivals) = await ReadParticipantsAsync(count);
        var readIn = _timeProvider.GetElapsedTime(started);
        var numbers = new ulong[visitors.Length];
        for (var i = 0; i < numbers.Length; i++)
        {
            numbers[i] = Receipts.Number(receiptKey, arrivals[i]);
        }

        string digest;
        int[] drawn;
        if (order == DrawOrder.Lottery)
        {
            (digest, drawn) = LotteryDraw.Draw(seed, numbers);
        }
        else
        {
            // First come, first served: the frozen pre-queue reads in arrival order already.
            var sorted = (ulong[])numbers.Clone();
            Array.Sort(sorted);
            digest = LotteryDraw.DigestOfSorted(sorted);
            drawn = [.. Enumerable.Range(0, numbers.Length)];
        }

        var orderedIn = _timeProvider.GetElapsedTime(started);
        await StageAsync(fence, firstSeq, visitors, numbers, drawn);
        var elapsed = _timeProvider.GetElapsedTime(started);
        var swapped = (int)await _policy.RunAsync(() => LuaScripts.DrawSwap.EvaluateAsync(
            Db,
            [
                _keys.Schedule, _keys.DrawingPlaces(fence), _keys.DrawingOrder(fence), _keys.Waiting, _keys.PrequeueFrozen,
                _keys.State, _keys.Events, _keys.Participants, _keys.Joined,
            ],
            [NowMs, fence, frozenAt, digest, _keys.Notify.ToString(), QueueStore.EventsMaxLength, (long)elapsed.TotalMilliseconds]), QueueStore.BatchCallTimeout);
        var outcome = swapped switch
        {
            1 => DrawOutcome.Drawn,
            0 => DrawOutcome.AlreadyDrawn,
            -1 => DrawOutcome.Fenced,
            _ => DrawOutcome.Incomplete,
        };
        var swappedIn = _timeProvider.GetElapsedTime(started);
        return new DrawResult(
            outcome, visitors.Length, swappedIn, new DrawPhases(frozenIn, readIn - frozenIn, orderedIn - readIn, elapsed - orderedIn, swappedIn - elapsed));
    }

    /// <summary>The frozen participants and their arrival numbers, in arrival order, read a chunk at a time with a few in flight.</summary>
    private async Task<(string[] Visitors, long[] Arrivals)> ReadParticipantsAsync(int count)
    {
        var db = Db;
        var visitors = new string[count];
        var arrivals = new long[count];
        var at = 0;
        var reads = new Queue<Task<SortedSetEntry[]>>();
        async Task TakeAsync()
        {
            foreach (var entry in await reads.Dequeue())
            {
                visitors[at] = (string)entry.Element!;
                arrivals[at] = (long)entry.Score;
                at++;
            }
        }

        for (var start = 0; start < count; start += ReadChunk)
        {
            if (reads.Count == InFlight)
            {
                await TakeAsync();
            }

            var from = start;
            reads.Enqueue(_policy.RunAsync(() => db.SortedSetRangeByRankWithScoresAsync(_keys.PrequeueFrozen, from, from + ReadChunk - 1), QueueStore.BatchCallTimeout));
        }

        while (reads.Count > 0)
        {
            await TakeAsync();
        }

        if (at != count)
        {
            throw new InvalidOperationException($"Room '{_keys.Room}': the frozen pre-queue holds {at} participants, not {count}.");
        }

        return (visitors, arrivals);
    }

    /// <summary>Writes the drawn order aside, a chunk at a time with a few in flight: each visitor's sequence, and the receipts in drawn order.</summary>
    private async Task StageAsync(long fence, long firstSeq, string[] visitors, ulong[] numbers, int[] drawn)
    {
        var db = Db;
        var places = _keys.DrawingPlaces(fence);
        var receipts = _keys.DrawingOrder(fence);
        await _policy.RunAsync(() => db.KeyDeleteAsync([places, receipts]));
        var writes = new Queue<Task>();
        for (var start = 0; start < drawn.Length; start += WriteChunk)
        {
            if (writes.Count >= 2 * InFlight)
            {
                await writes.Dequeue();
                await writes.Dequeue();
            }

            var end = Math.Min(drawn.Length, start + WriteChunk);
            var entries = new SortedSetEntry[end - start];
            var list = new RedisValue[end - start];
            for (var i = start; i < end; i++)
            {
                entries[i - start] = new SortedSetEntry(visitors[drawn[i]], firstSeq + i);
                list[i - start] = Receipts.Format(numbers[drawn[i]]);
            }

            writes.Enqueue(_policy.RunAsync(() => db.SortedSetAddAsync(places, entries), QueueStore.BatchCallTimeout));
            writes.Enqueue(_policy.RunAsync(() => db.ListRightPushAsync(receipts, list), QueueStore.BatchCallTimeout));
        }

        writes.Enqueue(_policy.RunAsync(() => db.KeyExpireAsync(places, StagingLifetime)));
        writes.Enqueue(_policy.RunAsync(() => db.KeyExpireAsync(receipts, StagingLifetime)));
        while (writes.Count > 0)
        {
            await writes.Dequeue();
        }
    }

    private long NowMs => _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
}

/// <summary>What a draw call did.</summary>
internal enum DrawOutcome
{
    /// <summary>No sale, or its start has not come: nothing to draw.</summary>
    NotDue,

    /// <summary>This call drew the sale and swapped the order in.</summary>
    Drawn,

    /// <summary>The sale was drawn already (by another proxy, or earlier).</summary>
    AlreadyDrawn,

    /// <summary>A newer lock holder admitted or drew: this call changed nothing.</summary>
    Fenced,

    /// <summary>The staged order was incomplete when swapped (a write lost): nothing swapped; the next run draws again.</summary>
    Incomplete,
}

/// <summary>The outcome of a draw call, how many participants it ordered, how long it took, and where the time went.</summary>
internal sealed record DrawResult(DrawOutcome Outcome, int Participants, TimeSpan Elapsed, DrawPhases Phases);

/// <summary>A draw's wall time by step: freeze, read the participants, order them (receipts, digest, keys, sort), stage, swap.</summary>
internal readonly record struct DrawPhases(TimeSpan Freeze, TimeSpan Read, TimeSpan Order, TimeSpan Stage, TimeSpan Swap)
{
    public override string ToString() => FormattableString.Invariant(
        $"freeze {Freeze.TotalMilliseconds:F0} ms, read {Read.TotalMilliseconds:F0} ms, order {Order.TotalMilliseconds:F0} ms, stage {Stage.TotalMilliseconds:F0} ms, swap {Swap.TotalMilliseconds:F0} ms");
}
