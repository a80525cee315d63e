using System.Text;
using Microsoft.EntityFrameworkCore;
using YarpWaitingRoom.Protocol;

namespace YarpWaitingRoom.Reservation.Data;

public sealed class ReservationDbContext(DbContextOptions<ReservationDbContext> options) : DbContext(options)
{
    /// <summary>Filter of the partial unique index that allows one seat-occupying hold per seat.</summary>
    internal const string OccupyingHoldFilter = "status IN (0, 1)";

    public DbSet<Concert> Concerts => Set<Concert>();

    public DbSet<Performance> Performances => Set<Performance>();

    public DbSet<Seat> Seats => Set<Seat>();

    public DbSet<Hold> Holds => Set<Hold>();

    public DbSet<SeatReservation> Reservations => Set<SeatReservation>();

    public DbSet<ProcessedEvent> ProcessedEvents => Set<ProcessedEvent>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Concert>(concert =>
        {
            concert.Property(c => c.Name).HasMaxLength(200);
            concert.Property(c => c.Artist).HasMaxLength(200);
            concert.Property(c => c.Venue).HasMaxLength(200);
        });

        modelBuilder.Entity<Performance>(performance =>
        {
            performance.HasOne(p => p.Concert).WithMany(c => c.Performances).HasForeignKey(p => p.ConcertId);
        });

        modelBuilder.Entity<Seat>(seat =>
        {
            seat.Property(s => s.Section).HasMaxLength(16);
            seat.Property(s => s.Row).HasMaxLength(16);
            seat.HasOne(s => s.Performance).WithMany(p => p.Seats).HasForeignKey(s => s.PerformanceId);
            seat.HasIndex(s => new { s.PerformanceId, s.Section, s.Row, s.Number }).IsUnique();
        });

        modelBuilder.Entity<Hold>(hold =>
        {
            hold.Property(h => h.VisitorId).HasMaxLength(VisitorIds.MaxLength);
            hold.Property(h => h.Status).HasConversion<short>();
            hold.Property(h => h.EndReason).HasMaxLength(32);
            hold.HasOne(h => h.Seat).WithMany().HasForeignKey(h => h.SeatId);

            // The guarantee: at most one active-or-confirmed hold per seat, enforced by PostgreSQL.
            hold.HasIndex(h => h.SeatId).IsUnique().HasFilter(OccupyingHoldFilter).HasDatabaseName("ux_holds_occupying_seat");
            hold.HasIndex(h => new { h.VisitorId, h.Status });
            hold.HasIndex(h => h.ExpiresAt).HasFilter("status = 0").HasDatabaseName("ix_holds_active_expiry");
        });

        modelBuilder.Entity<SeatReservation>(reservation =>
        {
            reservation.ToTable("reservations");
            reservation.Property(r => r.VisitorId).HasMaxLength(VisitorIds.MaxLength);
            reservation.HasIndex(r => r.SeatId).IsUnique();
            reservation.HasIndex(r => r.HoldId).IsUnique();
            reservation.HasOne<Seat>().WithMany().HasForeignKey(r => r.SeatId);
            reservation.HasOne<Hold>().WithMany().HasForeignKey(r => r.HoldId);
        });

        modelBuilder.Entity<ProcessedEvent>(processed =>
        {
            processed.HasKey(p => new { p.Stream, p.EntryId });
            processed.Property(p => p.Stream).HasMaxLength(200);
            processed.Property(p => p.EntryId).HasMaxLength(64);
        });

        UseSnakeCaseNames(modelBuilder);
    }

    private static void UseSnakeCaseNames(ModelBuilder modelBuilder)
    {
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            if (entity.GetTableName() is { } table && table != "reservations")
            {
                entity.SetTableName(ToSnakeCase(table));
            }

            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(ToSnakeCase(property.Name));
            }

            foreach (var key in entity.GetKeys())
            {
                key.SetName(ToSnakeCase(key.GetName()!));
            }

            foreach (var foreignKey in entity.GetForeignKeys())
            {
                foreignKey.SetConstraintName(ToSnakeCase(foreignKey.GetConstraintName()!));
            }

            foreach (var index in entity.GetIndexes())
            {
                index.SetDatabaseName(ToSnakeCase(index.GetDatabaseName()!));
            }
        }
    }

    internal static string ToSnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && name[i - 1] != '_' && !char.IsUpper(name[i - 1]))
                {
                    builder.Append('_');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
