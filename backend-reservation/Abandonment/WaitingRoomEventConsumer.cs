using YarpWaitingRoom.Hosting;
using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using YarpWaitingRoom.Events;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Reservation.Data;
using YarpWaitingRoom.Reservation.Diagnostics;
using YarpWaitingRoom.Reservation.Holds;
using YarpWaitingRoom.Reservation.Inventory;

namespace YarpWaitingRoom.Reservation.Abandonment;

/// <summary>
/// Follows each room's event stream in the consumer group <see cref="WaitingRoomEventsOptions.Group"/> and releases the
/// holds of visitors who abandoned the queue or whose session expired or ended. An entry is acknowledged only after its
/// database transaction committed; the transaction records the entry id (inbox), so redelivery is harmless.
/// On start it first finishes its own pending entries (read before a crash, never acknowledged), and it periodically
/// claims entries left pending by instances that died, then deletes from the group the consumers of instances long gone
/// (nothing pending, no read for <see cref="WaitingRoomEventsOptions.ForgetConsumersAfter"/>). A batch that released
/// holds writes the seats left to the waiting room once (<see cref="InventoryPublisher"/>), after its entries are
/// acknowledged.
/// </summary>
internal sealed partial class WaitingRoomEventConsumer(
    IConnectionMultiplexer redis,
    IServiceScopeFactory scopeFactory,
    IOptions<WaitingRoomEventsOptions> options,
    IConfiguration configuration,
    TimeProvider timeProvider,
    ReservationMetrics metrics,
    InventoryPublisher inventory,
    ILogger<WaitingRoomEventConsumer> logger) : BackgroundService
{
    private static readonly TimeSpan FailureBackoff = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }

        var consumer = settings.Consumer ?? configuration["Reservation:InstanceName"] ?? Environment.MachineName;
        var streams = new RoomStream[settings.Rooms.Length];
        for (var i = 0; i < streams.Length; i++)
        {
            streams[i] = new RoomStream(new RedisKeys(settings.Rooms[i]).Events);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var handled = 0;
            var failed = false;
            foreach (var stream in streams)
            {
                try
                {
                    // Stopping does not wait for Redis: an entry is acknowledged only after its commit, so whatever a
                    // stop cuts short stays pending and is handled again (idempotently) after the restart.
                    handled += await PumpAsync(stream, settings, consumer, stoppingToken).WaitOrAbandonAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is RedisException or System.Data.Common.DbException or TimeoutException || DatabaseFailure.IsUnavailable(ex))
                {
                    // Whatever was read stays pending and is retried from the pending list.
                    stream.ReadPending = true;
                    failed = true;
                    Log.ConsumerFailed(logger, stream.Key.ToString(), ex);
                }
            }

            if (failed)
            {
                await Task.Delay(FailureBackoff, timeProvider, stoppingToken);
            }
            else if (handled == 0)
            {
                await Task.Delay(settings.PollInterval, timeProvider, stoppingToken);
            }
        }
    }

    private async Task<int> PumpAsync(RoomStream stream, WaitingRoomEventsOptions settings, string consumer, CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        if (!stream.GroupReady)
        {
            await EnsureGroupAsync(db, stream.Key, settings.Group);
            stream.GroupReady = true;
        }

        if (stream.ReadPending)
        {
            // "0": this consumer's own entries that were delivered but never acknowledged.
            var pending = await db.StreamReadGroupAsync(stream.Key, settings.Group, consumer, "0", settings.BatchSize);
            if (pending.Length == 0)
            {
                stream.ReadPending = false;
                return 0;
            }

            Log.PendingResumed(logger, pending.Length, stream.Key.ToString());
            return await HandleAsync(db, stream.Key, settings.Group, pending, cancellationToken);
        }

        var now = timeProvider.GetUtcNow();
        if (now - stream.LastClaim >= settings.ClaimIdleAfter / 2)
        {
            stream.LastClaim = now;
            var claimed = await db.StreamAutoClaimAsync(
                stream.Key, settings.Group, consumer, (long)settings.ClaimIdleAfter.TotalMilliseconds, "0-0", settings.BatchSize);
            if (claimed.ClaimedEntries.Length > 0)
            {
                Log.EntriesClaimed(logger, claimed.ClaimedEntries.Length, stream.Key.ToString());
                return await HandleAsync(db, stream.Key, settings.Group, claimed.ClaimedEntries, cancellationToken);
            }

            await ForgetGoneConsumersAsync(db, stream.Key, settings, consumer);
        }

        var entries = await db.StreamReadGroupAsync(stream.Key, settings.Group, consumer, StreamPosition.NewMessages, settings.BatchSize);
        return entries.Length == 0 ? 0 : await HandleAsync(db, stream.Key, settings.Group, entries, cancellationToken);
    }

    private async Task<int> HandleAsync(IDatabase db, RedisKey key, string group, StreamEntry[] entries, CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var holds = scope.ServiceProvider.GetRequiredService<HoldService>();
        var streamName = key.ToString();
        var released = 0;
        foreach (var entry in entries)
        {
            released += await ApplyAsync(holds, streamName, entry, cancellationToken);
            await db.StreamAcknowledgeAsync(key, group, entry.Id);
        }

        if (released > 0)
        {
            await inventory.PublishAsync(scope.ServiceProvider.GetRequiredService<SeatInventory>(), cancellationToken);
        }

        return entries.Length;
    }

    /// <summary>Applies one entry; returns the holds it released.</summary>
    private async Task<int> ApplyAsync(HoldService holds, string streamName, StreamEntry entry, CancellationToken cancellationToken)
    {
        if (entry.IsNull || entry.Values is null || entry.Values.Length == 0)
        {
            // The entry was trimmed from the stream before we got to it; nothing left to apply.
            return 0;
        }

        var type = (string?)entry[WaitingRoomEventFields.Type];
        if (!WaitingRoomEventType.EndsVisit(type))
        {
            metrics.EventHandled(type ?? "none", "ignored");
            return 0;
        }

        var visitor = (string?)entry[WaitingRoomEventFields.Visitor];
        if (!VisitorIds.IsValid(visitor) || !long.TryParse((string?)entry[WaitingRoomEventFields.At], NumberStyles.None, CultureInfo.InvariantCulture, out var atMs))
        {
            // Retrying cannot fix a malformed entry: record it and move on rather than block the stream.
            metrics.EventHandled(type!, "malformed");
            Log.MalformedEntry(logger, streamName, entry.Id.ToString());
            return 0;
        }

        var reason = type switch
        {
            WaitingRoomEventType.Abandoned => HoldEndReason.Abandoned,
            WaitingRoomEventType.Expired => HoldEndReason.SessionExpired,
            _ => HoldEndReason.SessionEnded,
        };

        var released = await holds.ReleaseVisitorAsync(
            visitor!, reason, DateTimeOffset.FromUnixTimeMilliseconds(atMs), streamName, entry.Id.ToString(), cancellationToken);
        if (released is null)
        {
            metrics.EventHandled(type!, "duplicate");
            Log.DuplicateSkipped(logger, streamName, entry.Id.ToString());
            return 0;
        }

        metrics.EventHandled(type!, "applied");
        if (released > 0)
        {
            Log.Released(logger, released.Value, visitor!, type!);
        }

        return released.Value;
    }

    /// <summary>
    /// Deletes the group's consumers whose instances are gone: every other consumer with nothing pending (what it left
    /// was claimed above) that has not read for <see cref="WaitingRoomEventsOptions.ForgetConsumersAfter"/>, looked at and
    /// deleted in one atomic step (forget-consumers.lua), so none is delivered entries between the look and the delete.
    /// Deleting a consumer with nothing pending loses nothing; should its instance come back, its next delivery creates it
    /// again. One script call per claim round.
    /// </summary>
    private async Task ForgetGoneConsumersAsync(IDatabase db, RedisKey key, WaitingRoomEventsOptions settings, string consumer)
    {
        var deleted = (RedisResult[])(await LuaScripts.ForgetConsumers.EvaluateAsync(
            db, [key], [settings.Group, consumer, (long)settings.ForgetConsumersAfter.TotalMilliseconds]))!;
        foreach (var name in deleted)
        {
            metrics.ConsumerForgotten();
            Log.ConsumerForgotten(logger, (string?)name ?? string.Empty, key.ToString(), settings.ForgetConsumersAfter);
        }
    }

    private async Task EnsureGroupAsync(IDatabase db, RedisKey key, string group)
    {
        try
        {
            // From the beginning: entries written before any backend ran still release holds (the inbox keeps it once).
            await db.StreamCreateConsumerGroupAsync(key, group, StreamPosition.Beginning, createStream: true);
            Log.GroupCreated(logger, group, key.ToString());
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // Another instance (or an earlier run) created it.
        }
    }

    private sealed class RoomStream(RedisKey key)
    {
        public RedisKey Key { get; } = key;

        public bool GroupReady { get; set; }

        public bool ReadPending { get; set; } = true;

        public DateTimeOffset LastClaim { get; set; } = DateTimeOffset.MinValue;
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.ConsumerGroupCreated, LogLevel.Information, "Created consumer group {Group} on {Stream}")]
        public static partial void GroupCreated(ILogger logger, string group, string stream);

        [LoggerMessage(EventIds.VisitorHoldsReleased, LogLevel.Information, "Released {Count} holds of visitor {Visitor} ({Type})")]
        public static partial void Released(ILogger logger, int count, string visitor, string type);

        [LoggerMessage(EventIds.DuplicateEntrySkipped, LogLevel.Information, "Skipped {Stream} entry {EntryId}: already applied")]
        public static partial void DuplicateSkipped(ILogger logger, string stream, string entryId);

        [LoggerMessage(EventIds.MalformedEntry, LogLevel.Warning, "Skipped malformed {Stream} entry {EntryId}")]
        public static partial void MalformedEntry(ILogger logger, string stream, string entryId);

        [LoggerMessage(EventIds.ConsumerFailed, LogLevel.Warning, "Reading {Stream} failed; pending entries will be retried")]
        public static partial void ConsumerFailed(ILogger logger, string stream, Exception exception);

        [LoggerMessage(EventIds.PendingEntriesResumed, LogLevel.Information, "Resuming {Count} pending entries of {Stream}")]
        public static partial void PendingResumed(ILogger logger, int count, string stream);

        [LoggerMessage(EventIds.EntriesClaimed, LogLevel.Information, "Claimed {Count} entries of {Stream} left pending by another instance")]
        public static partial void EntriesClaimed(ILogger logger, int count, string stream);

        [LoggerMessage(EventIds.ConsumerForgotten, LogLevel.Information, "Deleted consumer {Consumer} of {Stream} from the group: nothing pending, nothing read for {ForgetAfter} or more")]
        public static partial void ConsumerForgotten(ILogger logger, string consumer, string stream, TimeSpan forgetAfter);
    }
}
