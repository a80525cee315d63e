using StackExchange.Redis;
using YarpWaitingRoom.Redis;

namespace YarpWaitingRoom.Queue;

/// <summary>
/// Empties a room between rehearsals (<see cref="QueueStore.ResetAsync"/>). First the per-item keys
/// (<see cref="RedisKeys.ItemKeyPrefixes"/>): found by SCAN on every primary, as Redis Cluster needs (never KEYS, which
/// blocks the server), removed by UNLINK in chunks. Then <c>reset.lua</c> in one step: the queue's keys, the switch state
/// but its admission fencing, and the announcement on the room's channel. Keeps the event stream and the lock keys.
/// Every round trip (each SCAN page, each UNLINK, the script) runs through the store's <see cref="RedisCallPolicy"/>.
/// </summary>
internal static class RoomReset
{
    /// <summary>Keys asked for per SCAN call, and removed per UNLINK.</summary>
    private const int BatchSize = 1000;

    public static async Task<RoomResetResult> RunAsync(
        IConnectionMultiplexer redis, RedisCallPolicy policy, RedisKeys keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(keys);
        var db = redis.GetDatabase();
        var itemKeys = await UnlinkItemKeysAsync(redis, policy, db, keys, cancellationToken);
        var result = (RedisResult[])(await policy.RunAsync(() => LuaScripts.Reset.EvaluateAsync(
            db,
            [
                keys.State, keys.Departed, keys.Waiting, keys.Active, keys.Seen, keys.Joined, keys.Visitors, keys.Gone, keys.GoneReasons, keys.Revoked, keys.ActiveSeen,
                keys.Schedule, keys.Prequeue, keys.PrequeueFrozen, keys.Participants, keys.Inventory, keys.EntryTally, keys.Networks, keys.NetworkOf,
            ],
            [keys.Notify.ToString()])))!;
        return new RoomResetResult(keys.Room, (long)result[0], (long)result[1], (long)result[2] + itemKeys, (long)result[3]);
    }

    private static async Task<long> UnlinkItemKeysAsync(
        IConnectionMultiplexer redis, RedisCallPolicy policy, IDatabase db, RedisKeys keys, CancellationToken cancellationToken)
    {
        long removed = 0;
        var chunk = new List<object>(BatchSize);
        foreach (var endpoint in redis.GetEndPoints())
        {
            var server = redis.GetServer(endpoint);
            if (server.IsReplica)
            {
                continue;
            }

            // Step by step, so that each page the cursor fetches is one call under the policy.
            await using var scan = server.KeysAsync(db.Database, keys.ScanPattern, BatchSize).GetAsyncEnumerator(cancellationToken);
            while (await policy.RunAsync(() => scan.MoveNextAsync().AsTask()))
            {
                if (IsItemKey(keys, scan.Current))
                {
                    chunk.Add(scan.Current);
                }

                if (chunk.Count == BatchSize)
                {
                    removed += await UnlinkAsync(policy, db, chunk);
                }
            }
        }

        return chunk.Count == 0 ? removed : removed + await UnlinkAsync(policy, db, chunk);
    }

    private static bool IsItemKey(RedisKeys keys, RedisKey key)
    {
        var name = (string?)key ?? string.Empty;
        foreach (var prefix in keys.ItemKeyPrefixes)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static async Task<long> UnlinkAsync(RedisCallPolicy policy, IDatabase db, List<object> chunk)
    {
        var removed = (long)await policy.RunAsync(() => db.ExecuteAsync("UNLINK", chunk));
        chunk.Clear();
        return removed;
    }
}
