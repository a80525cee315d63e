using YarpWaitingRoom.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Reservation.Abandonment;
using YarpWaitingRoom.Reservation.Apis;
using YarpWaitingRoom.Reservation.Data;
using YarpWaitingRoom.Reservation.Diagnostics;
using YarpWaitingRoom.Reservation.Holds;
using YarpWaitingRoom.Reservation.Inventory;

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

        services.AddDbContextPool<ReservationDbContext>((provider, db) => db
            .UseNpgsql(
                provider.GetRequiredService<IConfiguration>().GetConnectionString("Reservations")
                ?? throw new InvalidOperationException("ConnectionStrings:Reservations is not set."),
                npgsql => npgsql.ExecutionStrategy(dependencies => new ReconnectingExecutionStrategy(dependencies)))
            // Every failure reaches a caller that logs it once: the exception handler (500, or the rate-limited line of a
            // 503), the background loops, the start-up retry. EF's own copy of each would double that and, while PostgreSQL
            // is down, write several lines per request.
            .ConfigureWarnings(warnings => warnings.Log(
                (RelationalEventId.CommandError, LogLevel.Debug),
                (RelationalEventId.ConnectionError, LogLevel.Debug),
                (CoreEventId.QueryIterationFailed, LogLevel.Debug),
                (CoreEventId.SaveChangesFailed, LogLevel.Debug))));
        services.AddSingleton<DatabaseReadiness>();
        services.AddSingleton<DatabaseHealthCheck>();
        services.AddHostedService<DatabaseInitializer>();

        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<HoldOptions>().BindConfiguration(HoldOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.SectionName)
            .Validate(o => !o.Enabled || o.Key.Length >= WaitingRoomOptions.MinAdminKeyLength, $"{AdminOptions.SectionName}:Key must be empty (no admin API) or at least {WaitingRoomOptions.MinAdminKeyLength} characters.")
            .ValidateOnStart();
        services.AddOptions<WaitingRoomEventsOptions>().BindConfiguration(WaitingRoomEventsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<InventoryOptions>().BindConfiguration(InventoryOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton<ReservationMetrics>();
        services.AddExceptionHandler<DatabaseUnavailableHandler>();
        services.AddScoped<HoldService>();
        services.AddHostedService<HoldExpirySweeper>();
        services.AddScoped<SeatInventory>();
        services.AddScoped<InventoryHeader>();
        services.AddSingleton<InventoryPublisher>();

        services.AddRedisConnection(_ => "reservation");
        services.AddHostedService<WaitingRoomEventConsumer>();

        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("postgres", tags: [ServiceDefaultsExtensions.ReadyTag])
            // Redis carries only the waiting room's events here: seats can still be sold without it.
            .AddRedisCheck(HealthStatus.Degraded, "abandoned visitors' holds are not released until it does");
    }
}
