using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Npgsql;
using YarpWaitingRoom.Reservation.Data;
using YarpWaitingRoom.Reservation.Diagnostics;

namespace YarpWaitingRoom.Reservation.Holds;

/// <summary>
/// Holds and reservations. Every guarantee rests on PostgreSQL: the partial unique index
/// <c>ux_holds_occupying_seat</c> (one active-or-confirmed hold per seat), the unique seat of a reservation,
/// row locks for state changes of one hold, and a transaction-scoped advisory lock per visitor for the hold limit.
/// Nothing here relies on an in-process lock, so any number of instances may run side by side.
/// Each operation is one transaction, run through the context's execution strategy (<see cref="InTransactionAsync"/>).
/// </summary>
public sealed class HoldService(
    ReservationDbContext db,
    TimeProvider timeProvider,
    IOptionsMonitor<HoldOptions> options,
    ReservationMetrics metrics)
{
    /// <summary>First key of the two-key advisory lock space used for per-visitor hold limits.</summary>
    private const int VisitorLockSpace = 0x5752_4830; // "WRH0"

    public Task<HoldResult> CreateAsync(string visitorId, int seatId, CancellationToken cancellationToken) =>
        InTransactionAsync((transaction, ct) => CreateAsync(visitorId, seatId, transaction, ct), cancellationToken);

    private async Task<HoldResult> CreateAsync(string visitorId, int seatId, IDbContextTransaction transaction, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;

        // Serialises this visitor's concurrent hold requests so the limit cannot be overshot.
        await db.Database.ExecuteSqlAsync(
            $"SELECT pg_advisory_xact_lock({VisitorLockSpace}, hashtext({visitorId}))", cancellationToken);

        var now = timeProvider.GetUtcNow();
        var held = await db.Holds.CountAsync(
            h => h.VisitorId == visitorId && h.Status == HoldStatus.Active && h.ExpiresAt > now, cancellationToken);
        if (held >= settings.MaxPerVisitor)
        {
            metrics.HoldRejected(ReservationMetrics.LimitReason);
            return new HoldResult(HoldResultKind.LimitReached);
        }

        // A lapsed hold still occupies the unique index until it is marked expired: do that for this seat now.
        var lapsed = await db.Holds
            .Where(h => h.SeatId == seatId && h.Status == HoldStatus.Active && h.ExpiresAt <= now)
            .ExecuteUpdateAsync(
                set => set.SetProperty(h => h.Status, HoldStatus.Expired)
                    .SetProperty(h => h.EndedAt, now)
                    .SetProperty(h => h.EndReason, HoldEndReason.Expired),
                cancellationToken);

        var hold = new Hold
        {
            Id = Guid.CreateVersion7(now),
            SeatId = seatId,
            VisitorId = visitorId,
            Status = HoldStatus.Active,
            CreatedAt = now,
            ExpiresAt = now + settings.Duration,
        };

        // ON CONFLICT against the partial unique index: a concurrent winner makes this a no-op (0 rows),
        // not an exception. An unknown seat fails the foreign key instead (rare, so no lookup on the hot path).
        int inserted;
        try
        {
            inserted = await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO holds (id, seat_id, visitor_id, status, created_at, expires_at)
            VALUES ({hold.Id}, {hold.SeatId}, {hold.VisitorId}, {(short)HoldStatus.Active}, {hold.CreatedAt}, {hold.ExpiresAt})
            ON CONFLICT (seat_id) WHERE status IN (0, 1) DO NOTHING
            """,
            cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return new HoldResult(HoldResultKind.SeatNotFound);
        }

        await transaction.CommitAsync(cancellationToken);
        metrics.HoldsExpired(lapsed);

        if (inserted == 0)
        {
            metrics.HoldConflicted();
            return new HoldResult(HoldResultKind.SeatTaken);
        }

        metrics.HoldCreated();
        return new HoldResult(HoldResultKind.Created, hold);
    }

    public Task<ConfirmResult> ConfirmAsync(string visitorId, Guid holdId, CancellationToken cancellationToken) =>
        InTransactionAsync((transaction, ct) => ConfirmAsync(visitorId, holdId, transaction, ct), cancellationToken);

    private async Task<ConfirmResult> ConfirmAsync(string visitorId, Guid holdId, IDbContextTransaction transaction, CancellationToken cancellationToken)
    {
        var hold = await LockHoldAsync(holdId, cancellationToken);
        if (hold is null || !string.Equals(hold.VisitorId, visitorId, StringComparison.Ordinal))
        {
            return new ConfirmResult(ConfirmResultKind.NotFound);
        }

        var now = timeProvider.GetUtcNow();
        switch (hold.Status)
        {
            case HoldStatus.Confirmed:
                var existing = await db.Reservations.AsNoTracking().SingleAsync(r => r.HoldId == hold.Id, cancellationToken);
                return new ConfirmResult(ConfirmResultKind.AlreadyConfirmed, existing, hold.SeatId, await OpenHoldsAsync(visitorId, now, cancellationToken));
            case HoldStatus.Released:
                return new ConfirmResult(ConfirmResultKind.Released, SeatId: hold.SeatId);
            case HoldStatus.Expired:
                return new ConfirmResult(ConfirmResultKind.Expired, SeatId: hold.SeatId);
        }

        if (hold.ExpiresAt <= now)
        {
            End(hold, HoldStatus.Expired, HoldEndReason.Expired, now);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            metrics.HoldsExpired(1);
            return new ConfirmResult(ConfirmResultKind.Expired, SeatId: hold.SeatId);
        }

        End(hold, HoldStatus.Confirmed, HoldEndReason.Confirmed, now);
        var reservation = new SeatReservation
        {
            Id = Guid.CreateVersion7(now),
            SeatId = hold.SeatId,
            HoldId = hold.Id,
            VisitorId = visitorId,
            CreatedAt = now,
        };
        db.Reservations.Add(reservation);
        await db.SaveChangesAsync(cancellationToken);
        // Counted in the transaction, after this hold's own change: the visitor's other open holds.
        var open = await OpenHoldsAsync(visitorId, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        metrics.ReservationMade();
        return new ConfirmResult(ConfirmResultKind.Confirmed, reservation, hold.SeatId, open);
    }

    /// <summary>The visitor's holds still open: active and not lapsed.</summary>
    private Task<int> OpenHoldsAsync(string visitorId, DateTimeOffset now, CancellationToken cancellationToken) =>
        db.Holds.CountAsync(h => h.VisitorId == visitorId && h.Status == HoldStatus.Active && h.ExpiresAt > now, cancellationToken);

    public Task<ReleaseResult> ReleaseAsync(string visitorId, Guid holdId, CancellationToken cancellationToken) =>
        InTransactionAsync((transaction, ct) => ReleaseAsync(visitorId, holdId, transaction, ct), cancellationToken);

    private async Task<ReleaseResult> ReleaseAsync(string visitorId, Guid holdId, IDbContextTransaction transaction, CancellationToken cancellationToken)
    {
        var hold = await LockHoldAsync(holdId, cancellationToken);
        if (hold is null || !string.Equals(hold.VisitorId, visitorId, StringComparison.Ordinal))
        {
            return new ReleaseResult(ReleaseResultKind.NotFound);
        }

        switch (hold.Status)
        {
            case HoldStatus.Confirmed:
                return new ReleaseResult(ReleaseResultKind.AlreadyConfirmed, hold.SeatId);
            case HoldStatus.Released or HoldStatus.Expired:
                return new ReleaseResult(ReleaseResultKind.AlreadyEnded, hold.SeatId);
        }

        End(hold, HoldStatus.Released, HoldEndReason.Visitor, timeProvider.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        metrics.HoldsReleased(HoldEndReason.Visitor, 1);
        return new ReleaseResult(ReleaseResultKind.Released, hold.SeatId);
    }

    /// <summary>
    /// Releases every active hold the visitor took before <paramref name="eventAt"/>, once per stream entry:
    /// the entry id goes into the inbox table in the same transaction, so a redelivered entry changes nothing
    /// (and cannot release holds the visitor took after coming back). Returns the holds released, or
    /// <see langword="null"/> when the entry had been applied already.
    /// </summary>
    public Task<int?> ReleaseVisitorAsync(
        string visitorId, string reason, DateTimeOffset eventAt, string stream, string entryId, CancellationToken cancellationToken) =>
        InTransactionAsync((transaction, ct) => ReleaseVisitorAsync(visitorId, reason, eventAt, stream, entryId, transaction, ct), cancellationToken);

    private async Task<int?> ReleaseVisitorAsync(
        string visitorId, string reason, DateTimeOffset eventAt, string stream, string entryId, IDbContextTransaction transaction, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var firstTime = await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO processed_events (stream, entry_id, processed_at) VALUES ({stream}, {entryId}, {now})
            ON CONFLICT DO NOTHING
            """,
            cancellationToken);
        if (firstTime == 0)
        {
            return null;
        }

        var released = await db.Holds
            .Where(h => h.VisitorId == visitorId && h.Status == HoldStatus.Active && h.CreatedAt <= eventAt)
            .ExecuteUpdateAsync(
                set => set.SetProperty(h => h.Status, HoldStatus.Released)
                    .SetProperty(h => h.EndedAt, now)
                    .SetProperty(h => h.EndReason, reason),
                cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        metrics.HoldsReleased(reason, released);
        return released;
    }

    /// <summary>Marks lapsed active holds expired. Reads treat them as free already; this keeps the table honest.</summary>
    public async Task<int> ExpireLapsedAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var expired = await db.Holds
            .Where(h => h.Status == HoldStatus.Active && h.ExpiresAt <= now)
            .ExecuteUpdateAsync(
                set => set.SetProperty(h => h.Status, HoldStatus.Expired)
                    .SetProperty(h => h.EndedAt, now)
                    .SetProperty(h => h.EndReason, HoldEndReason.Expired),
                cancellationToken);
        metrics.HoldsExpired(expired);
        return expired;
    }

    /// <summary>
    /// Frees every seat between rehearsals: drops every reservation and every hold in one transaction, the two tables
    /// locked first so that the counts returned are what was dropped. The inbox of handled waiting-room events stays, so
    /// no event is applied twice. Safe to repeat (a repeat drops nothing more).
    /// </summary>
    public Task<SeatsFreed> FreeAllSeatsAsync(CancellationToken cancellationToken) =>
        InTransactionAsync(FreeAllSeatsAsync, cancellationToken);

    private async Task<SeatsFreed> FreeAllSeatsAsync(IDbContextTransaction transaction, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlRawAsync("LOCK TABLE reservations, holds IN ACCESS EXCLUSIVE MODE", cancellationToken);
        var now = timeProvider.GetUtcNow();
        var sold = await db.Reservations.CountAsync(cancellationToken);
        var held = await db.Holds.CountAsync(h => h.Status == HoldStatus.Active && h.ExpiresAt > now, cancellationToken);
        await db.Database.ExecuteSqlRawAsync("TRUNCATE reservations, holds", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new SeatsFreed(sold, held);
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a new transaction through the context's execution strategy
    /// (<see cref="ReconnectingExecutionStrategy"/>): when its connection turns out dead (a pooled connection left over
    /// from before a PostgreSQL restart), the whole transaction runs again on a fresh one. Every operation here is safe to
    /// repeat: a repeat after a commit whose answer was lost finds the committed state (the seat held, the hold confirmed).
    /// </summary>
    private Task<T> InTransactionAsync<T>(Func<IDbContextTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(
            work,
            static async (context, work, ct) =>
            {
                // A failed attempt may have left entities tracked (a locked hold, a new reservation): start clean.
                context.ChangeTracker.Clear();
                await using var transaction = await context.Database.BeginTransactionAsync(ct);
                return await work(transaction, ct);
            },
            verifySucceeded: null,
            cancellationToken);

    private Task<Hold?> LockHoldAsync(Guid holdId, CancellationToken cancellationToken) =>
        db.Holds.FromSql($"SELECT * FROM holds WHERE id = {holdId} FOR UPDATE").SingleOrDefaultAsync(cancellationToken);

    private static void End(Hold hold, HoldStatus status, string reason, DateTimeOffset now)
    {
        hold.Status = status;
        hold.EndedAt = now;
        hold.EndReason = reason;
    }
}
