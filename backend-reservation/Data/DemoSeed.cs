using Microsoft.EntityFrameworkCore;

namespace YarpWaitingRoom.Reservation.Data;

/// <summary>One concert, one performance, 2,000 seats in four sections of 20 rows × 25 seats.</summary>
internal static class DemoSeed
{
    private static readonly (string Section, int PriceCents)[] Sections = [("A", 15_000), ("B", 12_000), ("C", 9_000), ("D", 6_000)];
    private const int RowsPerSection = 20;
    private const int SeatsPerRow = 25;

    public static int SeatCount => Sections.Length * RowsPerSection * SeatsPerRow;

    /// <summary>Adds the demo concert unless any concert exists. Returns whether it added it.</summary>
    public static async Task<bool> EnsureAsync(ReservationDbContext db, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
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

        foreach (var (section, price) in Sections)
        {
            for (var row = 1; row <= RowsPerSection; row++)
            {
                for (var number = 1; number <= SeatsPerRow; number++)
                {
                    performance.Seats.Add(new Seat
                    {
                        Section = section,
                        Row = row.ToString("D2", System.Globalization.CultureInfo.InvariantCulture),
                        Number = number,
                        PriceCents = price,
                    });
                }
            }
        }

        db.Concerts.Add(concert);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }
}
