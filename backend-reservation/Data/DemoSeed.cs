using System.Globalization;
using Microsoft.EntityFrameworkCore;

namespace YarpWaitingRoom.Reservation.Data;

/// <summary>
/// One concert, one performance, <see cref="DatabaseOptions.DemoSeats"/> seats (2,000 by default: four sections of 20 rows ×
/// 25 seats). Always the same seats for the same count: sections A–D get rows of 25 in turn, as many rows each as the count
/// needs, filled section by section, row by row, seat by seat (6 seats: A-01-1 … A-01-6).
/// </summary>
internal static class DemoSeed
{
    public const int DefaultSeats = 2_000;

    /// <summary>Most demo seats: 200 rows per section.</summary>
    public const int MaxSeats = 20_000;

    private static readonly (string Section, int PriceCents)[] Sections = [("A", 15_000), ("B", 12_000), ("C", 9_000), ("D", 6_000)];
    private const int SeatsPerRow = 25;

    /// <summary>Adds the demo concert with <paramref name="seats"/> seats unless any concert exists. Returns whether it added it.</summary>
    public static async Task<bool> EnsureAsync(ReservationDbContext db, int seats, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(seats);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(seats, MaxSeats);
        if (await db.Concerts.AnyAsync(cancellationToken))
        {
            return false;
        }

        var concert = new Concert { Name = "Seoul Night Live", Artist = "The Waiting Room Orchestra", Venue = "Olympic Hall" };
        var performance = new Performance
        {
            Concert = concert,
            StartsAt = new DateTimeOffset(timeProvider.GetUtcNow().Date.AddDays(30).AddHours(10), TimeSpan.Zero),
        };
        concert.Performances.Add(performance);

        // Seat i: section i / perSection, then row and number within it.
        var rowsPerSection = (seats + (Sections.Length * SeatsPerRow) - 1) / (Sections.Length * SeatsPerRow);
        var perSection = rowsPerSection * SeatsPerRow;
        for (var i = 0; i < seats; i++)
        {
            var (section, price) = Sections[i / perSection];
            performance.Seats.Add(new Seat
            {
                Section = section,
                Row = ((i % perSection / SeatsPerRow) + 1).ToString("D2", CultureInfo.InvariantCulture),
                Number = (i % SeatsPerRow) + 1,
                PriceCents = price,
            });
        }

        db.Concerts.Add(concert);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }
}
