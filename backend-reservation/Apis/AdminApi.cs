using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using YarpWaitingRoom.Reservation.Diagnostics;
using YarpWaitingRoom.Reservation.Holds;
using YarpWaitingRoom.Reservation.Inventory;

namespace YarpWaitingRoom.Reservation.Apis;

/// <summary>
/// The operators' API under <c>/admin</c>, there only when <see cref="AdminOptions.Key"/> is set, every call behind
/// <see cref="AdminKeyFilter"/>. Reached through the internal load balancer: the proxies forward <c>/api/</c> only.
/// </summary>
public static partial class AdminApi
{
    public const string Prefix = "/admin";

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.ServiceProvider.GetRequiredService<IOptions<AdminOptions>>().Value.Enabled)
        {
            return app;
        }

        var admin = app.MapGroup(Prefix)
            .AddEndpointFilter<AdminKeyFilter>()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        admin.MapPost("/reset", FreeAllSeatsAsync);
        return app;
    }

    /// <summary>Between rehearsals: every seat free again (holds and reservations dropped), and the waiting room told so.</summary>
    public static async Task<Ok<SeatsFreed>> FreeAllSeatsAsync(
        HoldService holds, SeatInventory seats, InventoryPublisher inventory, ILogger<SeatsFreed> logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(holds);
        ArgumentNullException.ThrowIfNull(inventory);
        var freed = await holds.FreeAllSeatsAsync(cancellationToken);
        Log.SeatsFreed(logger, freed.Sold, freed.Held);
        await inventory.PublishAsync(seats, cancellationToken);
        return TypedResults.Ok(freed);
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.SeatsFreed, LogLevel.Warning, "Every seat freed by an operator: {Sold} reservations and {Held} active holds dropped")]
        public static partial void SeatsFreed(ILogger logger, int sold, int held);
    }
}
