using System.Globalization;
using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Redis;

namespace YarpWaitingRoom.Switch;

/// <summary>
/// A room's switch state in its Redis <c>state</c> hash: read in one round trip, written by compare-and-set on a version
/// (<c>write-state.lua</c>) so the evaluator and an operator never overwrite each other unseen. Transitions append a
/// <c>switched</c> event and publish <c>state|&lt;version&gt;</c> on the room's channel. Every call runs through the
/// store's <see cref="RedisCallPolicy"/>.
/// </summary>
internal sealed class SwitchStore
{
    /// <summary>Announcement of a write.</summary>
    public enum Announce
    {
        /// <summary>Bookkeeping only (timers, rates): the 1-second poll spreads it.</summary>
        None = 0,

        /// <summary>Publish on the room's channel so every instance refreshes now (mode change).</summary>
        Message = 1,

        /// <summary>A transition: a <c>switched</c> event and a message.</summary>
        Transition = 2,
    }

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisCallPolicy _policy;
    private readonly RoomOptions _options;
    private readonly RedisKeys _keys;
    private readonly RedisKey[] _writeKeys;
    private readonly RedisValue _channel;

    /// <param name="redis">The process's connection.</param>
    /// <param name="keys">The room's keys.</param>
    /// <param name="options">The room's settings.</param>
    /// <param name="policy">What every Redis call runs through; by default none (<see cref="RedisCallPolicy.PassThrough"/>).</param>
    public SwitchStore(IConnectionMultiplexer redis, RedisKeys keys, RoomOptions options, RedisCallPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(options);
        _redis = redis;
        _policy = policy ?? RedisCallPolicy.PassThrough;
        _keys = keys;
        _options = options;
        _writeKeys = [keys.State, keys.Events];
        _channel = keys.Notify.ToString();
    }

    private IDatabase Db => _redis.GetDatabase();

    /// <summary>The state hash, the queue sizes and the scheduled sale, pipelined: one round trip.</summary>
    public Task<RoomSnapshot> ReadAsync(DateTimeOffset now) => _policy.RunAsync(async () =>
    {
        var batch = Db.CreateBatch();
        var state = batch.HashGetAllAsync(_keys.State);
        var waiting = batch.SortedSetLengthAsync(_keys.Waiting);
        var active = batch.SortedSetLengthAsync(_keys.Active);
        var sale = batch.HashGetAsync(_keys.Schedule, Scheduling.SaleView.Fields);
        var prequeue = batch.SortedSetLengthAsync(_keys.Prequeue);
        var inventory = batch.HashGetAsync(_keys.Inventory, InventoryFields);
        batch.Execute();
        return Parse(await state, await waiting, await active, now) with
        {
            Sale = Scheduling.SaleView.Parse(await sale) is { } view ? view with { InPrequeue = await prequeue } : null,
            Inventory = ParseInventory(await inventory),
        };
    });

    /// <summary>The edge tier's request totals of <paramref name="count"/> whole seconds ending at <paramref name="lastSecond"/>, newest first.</summary>
    public Task<long[]> ReadRatesAsync(long lastSecond, int count) => _policy.RunAsync(async () =>
    {
        var batch = Db.CreateBatch();
        var reads = new Task<RedisValue>[count];
        for (var i = 0; i < count; i++)
        {
            reads[i] = batch.HashGetAsync(_keys.Rate(lastSecond - i), RateFields.Total);
        }

        batch.Execute();
        var values = await Task.WhenAll(reads);
        long[] totals = [.. values.Select(v => v.IsNull ? 0L : (long)v)];
        return totals;
    });

    /// <summary>Writes the switch if the state is still at <paramref name="expectedVersion"/>; false when someone else wrote first.</summary>
    public async Task<bool> TryWriteAsync(
        long expectedVersion, RoomMode mode, SwitchState state, double rateLastSecond, double rateTenSeconds, Announce announce, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        var result = (long)await _policy.RunAsync(() => LuaScripts.WriteState.EvaluateAsync(
            Db,
            _writeKeys,
            [
                expectedVersion, (int)announce, _channel, QueueStore.EventsMaxLength, now.ToUnixTimeMilliseconds(), state.Reason, state.QueueOn ? 1 : 0,
                RoomStateFields.Mode, mode.ToString(),
                RoomStateFields.QueueOn, state.QueueOn ? 1 : 0,
                RoomStateFields.Since, state.Since.ToUnixTimeMilliseconds(),
                RoomStateFields.Reason, state.Reason,
                RoomStateFields.HighSince, Millis(state.HighSince),
                RoomStateFields.CalmSince, Millis(state.CalmSince),
                RoomStateFields.RateLastSecond, rateLastSecond.ToString("0.##", CultureInfo.InvariantCulture),
                RoomStateFields.RateTenSeconds, rateTenSeconds.ToString("0.##", CultureInfo.InvariantCulture),
            ]));
        return result >= 0;
    }

    /// <summary>
    /// Sets the operator's mode and applies what it forces at once (On/Paused: queue on; Off: queue off; Auto: the rate
    /// decides again from now). Retries on a concurrent write. Returns the state written.
    /// </summary>
    public async Task<RoomSnapshot> SetModeAsync(RoomMode mode, DateTimeOffset now)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = await ReadAsync(now);
            var next = mode == RoomMode.Auto
                ? current.Switch with { Since = current.Mode == RoomMode.Auto ? current.Switch.Since : now, Reason = current.Mode == RoomMode.Auto ? current.Switch.Reason : SwitchReasons.ModeAuto, HighSince = null, CalmSince = null }
                : QueueSwitch.Evaluate(current.Switch, _options, mode, default, now);
            var transition = next.QueueOn != current.Switch.QueueOn ? Announce.Transition : Announce.Message;
            if (await TryWriteAsync(current.Version, mode, next, current.RateLastSecond, current.RateTenSeconds, transition, now))
            {
                return current with { Version = current.Version + 1, Mode = mode, Switch = next };
            }

            if (attempt >= 20)
            {
                throw new InvalidOperationException($"Room '{_keys.Room}': the state kept changing; mode not set.");
            }
        }
    }

    /// <summary>
    /// Sets the room's challenge at runtime (the admin API): one HSET of both fields with the state's version bumped (one
    /// transaction: see <see cref="RoomStateFields.Version"/>), which every proxy and hub reads with
    /// the state (within a second), and which outlives restarts until the room is reset. Returns the state read after.
    /// </summary>
    public async Task<RoomSnapshot> SetChallengeAsync(RoomChallenge challenge, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(challenge.Difficulty, Challenges.ChallengeService.MinDifficulty, nameof(challenge));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(challenge.Difficulty, Challenges.ChallengeService.MaxDifficulty, nameof(challenge));
        await _policy.RunAsync(async () =>
        {
            var transaction = Db.CreateTransaction();
            _ = transaction.HashSetAsync(
                _keys.State,
                [
                    new HashEntry(RoomStateFields.Challenge, challenge.Mode.ToString()),
                    new HashEntry(RoomStateFields.ChallengeDifficulty, challenge.Difficulty),
                ]);
            _ = transaction.HashIncrementAsync(_keys.State, RoomStateFields.Version);
            await transaction.ExecuteAsync();
        });
        return await ReadAsync(now);
    }

    /// <summary>
    /// Sets the room's <c>MaxActive</c> at runtime (the admin API), or with null clears it (the configured value holds
    /// again). Admission obeys it from its next call (join and admit read it in their own atomic step); see
    /// <see cref="SetLimitAsync"/> for the write. Returns the operator's value before (null: none, the configured one held)
    /// and the state read after.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Below 0 or above <see cref="RoomOptions.MaxActiveLimit"/>.</exception>
    public Task<(int? Before, RoomSnapshot After)> SetMaxActiveAsync(int? maxActive, DateTimeOffset now) =>
        SetLimitAsync(RoomStateFields.MaxActive, maxActive, RoomOptions.MaxActiveLimit, now);

    /// <summary>
    /// Sets the room's <c>MaxPlacesPerNetwork</c> at runtime (the admin API; 0 turns the cap off), or with null clears it
    /// (the configured value holds again). A join obeys it from its next call (join.lua reads it in its own atomic step,
    /// prelude.lua's <c>network_cap</c>), and counts places per network while it is above 0: turned on at runtime, the
    /// places taken from then on are counted. See <see cref="SetLimitAsync"/> for the write. Returns the operator's value
    /// before (null: none) and the state read after.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Below 0 or above <see cref="RoomOptions.MaxPlacesPerNetworkLimit"/>.</exception>
    public Task<(int? Before, RoomSnapshot After)> SetMaxPlacesPerNetworkAsync(int? maxPlaces, DateTimeOffset now) =>
        SetLimitAsync(RoomStateFields.MaxPlacesPerNetwork, maxPlaces, RoomOptions.MaxPlacesPerNetworkLimit, now);

    /// <summary>
    /// An operator's limit (<paramref name="field"/> of the state hash) set, or with null cleared: read and written (HSET or
    /// HDEL) in one transaction that also bumps the state's version (<see cref="RoomStateFields.Version"/>), so every proxy
    /// and hub reads it with the state (within a second) and no older read outranks it; it outlives restarts until the
    /// room is reset.
    /// </summary>
    private async Task<(int? Before, RoomSnapshot After)> SetLimitAsync(string field, int? value, int limit, DateTimeOffset now)
    {
        if (value is { } given)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(given, nameof(value));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(given, limit, nameof(value));
        }

        var before = await _policy.RunAsync(async () =>
        {
            var transaction = Db.CreateTransaction();
            var read = transaction.HashGetAsync(_keys.State, field);
            _ = value is { } set
                ? transaction.HashSetAsync(_keys.State, field, set)
                : transaction.HashDeleteAsync(_keys.State, field);
            _ = transaction.HashIncrementAsync(_keys.State, RoomStateFields.Version);
            await transaction.ExecuteAsync();
            return await read;
        });
        return (ParseLimit((string?)before, limit), await ReadAsync(now));
    }

    private RoomSnapshot Parse(HashEntry[] hash, long waiting, long active, DateTimeOffset now)
    {
        var fields = hash.ToDictionary(e => (string)e.Name!, e => e.Value, StringComparer.Ordinal);
        RedisValue Get(string name) => fields.TryGetValue(name, out var v) ? v : RedisValue.Null;
        DateTimeOffset? Time(string name) =>
            Get(name) is { IsNullOrEmpty: false } v && long.TryParse((string?)v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms)
                ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
                : null;
        double Number(string name) =>
            Get(name) is { IsNullOrEmpty: false } v && double.TryParse((string?)v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : 0;

        var mode = Enum.TryParse<RoomMode>((string?)Get(RoomStateFields.Mode), ignoreCase: true, out var m) ? m : _options.Mode;
        SwitchState state;
        if (Get(RoomStateFields.QueueOn).IsNullOrEmpty)
        {
            // Never evaluated: the configured mode decides the first state.
            state = QueueSwitch.Start(_options, mode, now);
        }
        else
        {
            state = new SwitchState(
                (string?)Get(RoomStateFields.QueueOn) == "1",
                Time(RoomStateFields.Since) ?? now,
                (string?)Get(RoomStateFields.Reason) ?? SwitchReasons.Initial,
                Time(RoomStateFields.HighSince),
                Time(RoomStateFields.CalmSince));
        }

        return new RoomSnapshot(
            (long)Number(RoomStateFields.Version),
            mode,
            state,
            Number(RoomStateFields.RateLastSecond),
            Number(RoomStateFields.RateTenSeconds),
            Number(RoomStateFields.AdmitRate),
            Time(RoomStateFields.LastAdmittedAt),
            Time(RoomStateFields.LastAdmissionRun),
            waiting,
            active,
            Challenge: ParseChallenge((string?)Get(RoomStateFields.Challenge), (string?)Get(RoomStateFields.ChallengeDifficulty)),
            MaxActiveOverride: ParseLimit((string?)Get(RoomStateFields.MaxActive), RoomOptions.MaxActiveLimit),
            MaxPlacesPerNetworkOverride: ParseLimit((string?)Get(RoomStateFields.MaxPlacesPerNetwork), RoomOptions.MaxPlacesPerNetworkLimit));
    }

    /// <summary>
    /// An operator's limit (<c>MaxActive</c>, <c>MaxPlacesPerNetwork</c>), when set and a whole number from 0 to
    /// <paramref name="limit"/> (digits only); null otherwise (the options hold), as prelude.lua's <c>admission_cap</c> and
    /// <c>network_cap</c> ignore it.
    /// </summary>
    internal static int? ParseLimit(string? value, int limit) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= limit ? n : null;

    /// <summary>The operator's challenge, when set and well formed; null otherwise (the options hold).</summary>
    private static RoomChallenge? ParseChallenge(string? mode, string? difficulty) =>
        Enum.TryParse<ChallengeMode>(mode, ignoreCase: false, out var m) && Enum.IsDefined(m)
        && int.TryParse(difficulty, NumberStyles.None, CultureInfo.InvariantCulture, out var d)
        && d is >= Challenges.ChallengeService.MinDifficulty and <= Challenges.ChallengeService.MaxDifficulty
            ? new RoomChallenge(m, d)
            : null;

    private static readonly RedisValue[] InventoryFields = ["remaining", "at"];

    private static InventoryView? ParseInventory(RedisValue[] values) =>
        long.TryParse((string?)values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var remaining)
        && long.TryParse((string?)values[1], NumberStyles.None, CultureInfo.InvariantCulture, out var at)
            ? new InventoryView(remaining, DateTimeOffset.FromUnixTimeMilliseconds(at))
            : null;

    private static RedisValue Millis(DateTimeOffset? time) => time is { } t ? t.ToUnixTimeMilliseconds() : RedisValue.EmptyString;
}
