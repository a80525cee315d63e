using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using YarpWaitingRoom.Reservation.Abandonment;
using YarpWaitingRoom.Reservation.Apis;
using YarpWaitingRoom.Reservation.Data;
using YarpWaitingRoom.Reservation.Diagnostics;
using YarpWaitingRoom.Reservation.Holds;

namespace YarpWaitingRoom.Reservation.Extensions;

internal static class Extensions
{
    /// <summary>Largest request body the API reads; every valid body is a few bytes.</summary>
    private const long MaxRequestBodyBytes = 16 * 1024;

    public static void AddReservationServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ReservationJsonContext.Default));

        services.AddDbContextPool<ReservationDbContext>((provider, db) => db.UseNpgsql(
            provider.GetRequiredService<IConfiguration>().GetConnectionString("Reservations")
            ?? throw new InvalidOperationException("ConnectionStrings:Reservations is not set.")));
        services.AddSingleton<DatabaseReadiness>();
        services.AddHostedService<DatabaseInitializer>();

        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<HoldOptions>().BindConfiguration(HoldOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<WaitingRoomEventsOptions>().BindConfiguration(WaitingRoomEventsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton<ReservationMetrics>();
        services.AddScoped<HoldService>();
        services.AddHostedService<HoldExpirySweeper>();

        services.AddRedisConnection(_ => "reservation");
        services.AddHostedService<WaitingRoomEventConsumer>();

        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("postgres", tags: [ServiceDefaultsExtensions.ReadyTag])
            // Redis carries only the waiting room's events here: seats can still be sold without it.
            .AddRedisCheck(HealthStatus.Degraded, "abandoned visitors' holds are not released until it does");
    }
}
