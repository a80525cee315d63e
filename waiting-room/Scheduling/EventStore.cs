using System.Globalization;
using StackExchange.Redis;
using YarpWaitingRoom.Redis;

namespace YarpWaitingRoom.Scheduling;

/// <summary>
/// A room's scheduled sale in Redis (<see cref="RedisKeys.Schedule"/>, one hash): scheduling draws the secret seed and
/// stores it with its commitment; an event can be replaced or cancelled only until its pre-queue opens, checked in the
/// same atomic step (<c>schedule-event.lua</c>), so two admins racing the opening cannot change a sale visitors already
/// hold receipts for. "Now" comes from the <see cref="TimeProvider"/>.
/// </summary>
internal sealed class EventStore
{
    private const string NameField = "name";
    private const string OpensField = "prequeueOpensAt";
    private const string StartsField = "startsAt";
    private const string OrderField = "order";
    private const string SeedField = "seed";
    private const string CommitmentField = "commitment";
    private const string DrawnAtField = "drawnAt";
    private const string ParticipantsField = "participants";
    private const string DigestField = "digest";
    private const string ReceiptKeyField = "receiptKey";
    private const string DrawMsField = "drawMs";

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKeys _keys;
    private readonly TimeProvider _timeProvider;

    public EventStore(IConnectionMultiplexer redis, RedisKeys keys, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _redis = redis;
        _keys = keys;
        _timeProvider = timeProvider;
    }

    private IDatabase Db => _redis.GetDatabase();

    private RedisKey[] ScheduleKeys => [_keys.Schedule, _keys.Prequeue, _keys.PrequeueFrozen, _keys.Participants];

    /// <summary>
    /// Stores <paramref name="scheduled"/> with a fresh seed and receipt key, unless the current event's pre-queue has
    /// opened and it is not drawn yet; every proxy and hub hears of it at once (<c>sale</c> notice).
    /// </summary>
    public async Task<(ScheduleOutcome Outcome, StoredEvent? Stored)> ScheduleAsync(ScheduledEvent scheduled)
    {
        ArgumentNullException.ThrowIfNull(scheduled);
        var seed = LotteryDraw.NewSeed();
        var stored = new StoredEvent(scheduled, seed, LotteryDraw.Commitment(seed), null, 0, null, null);
        var result = (int)await LuaScripts.ScheduleEvent.EvaluateAsync(
            Db,
            ScheduleKeys,
            [
                NowMs, "set", _keys.Notify.ToString(),
                NameField, scheduled.Name,
                OpensField, scheduled.PrequeueOpensAt.ToUnixTimeMilliseconds(),
                StartsField, scheduled.StartsAt.ToUnixTimeMilliseconds(),
                OrderField, scheduled.Order.ToString(),
                SeedField, stored.Seed,
                CommitmentField, stored.Commitment,
                ReceiptKeyField, Receipts.NewKey(),
            ]);
        return result == 1 ? (ScheduleOutcome.Scheduled, stored) : (ScheduleOutcome.Conflict, null);
    }

    /// <summary>Removes the event (and a past draw's published order), unless its pre-queue has opened and it is not drawn yet.</summary>
    public async Task<ScheduleOutcome> CancelAsync()
    {
        var result = (int)await LuaScripts.ScheduleEvent.EvaluateAsync(Db, ScheduleKeys, [NowMs, "cancel", _keys.Notify.ToString()]);
        return result switch
        {
            1 => ScheduleOutcome.Cancelled,
            0 => ScheduleOutcome.NotFound,
            _ => ScheduleOutcome.Conflict,
        };
    }

    /// <summary>
    /// The room's event, or null when none is scheduled; its participants are those frozen for the draw, or before the
    /// freeze those in the pre-queue now.
    /// </summary>
    public async Task<StoredEvent?> GetAsync()
    {
        var batch = Db.CreateBatch();
        var hash = batch.HashGetAllAsync(_keys.Schedule);
        var waiting = batch.SortedSetLengthAsync(_keys.Prequeue);
        batch.Execute();
        var fields = (await hash).ToDictionary(e => e.Name.ToString(), e => e.Value.ToString(), StringComparer.Ordinal);
        if (!fields.TryGetValue(NameField, out var name))
        {
            return null;
        }

        var scheduled = new ScheduledEvent(
            name, Time(fields[OpensField]), Time(fields[StartsField]), Enum.Parse<DrawOrder>(fields[OrderField]));
        return new StoredEvent(
            scheduled,
            fields[SeedField],
            fields[CommitmentField],
            fields.TryGetValue(DrawnAtField, out var drawnAt) ? Time(drawnAt) : null,
            fields.TryGetValue(ParticipantsField, out var participants) ? long.Parse(participants, CultureInfo.InvariantCulture) : await waiting,
            fields.GetValueOrDefault(DigestField),
            fields.TryGetValue(DrawMsField, out var drawMs) ? long.Parse(drawMs, CultureInfo.InvariantCulture) : null);
    }

    private long NowMs => _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    private static DateTimeOffset Time(string ms) => DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(ms, CultureInfo.InvariantCulture));
}
