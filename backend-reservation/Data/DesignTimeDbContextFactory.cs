using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace YarpWaitingRoom.Reservation.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the host or reaching a database.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<ReservationDbContext>
{
    public ReservationDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<ReservationDbContext>().UseNpgsql("Host=localhost;Database=design_time").Options);
}
