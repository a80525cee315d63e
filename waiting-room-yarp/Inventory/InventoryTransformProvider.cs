using System.Globalization;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;
using YarpWaitingRoom.Hosting;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Yarp.Diagnostics;
using YarpWaitingRoom.Yarp.Gate;

namespace YarpWaitingRoom.Yarp.Inventory;

/// <summary>
/// On gated routes: a backend response's <c>X-WaitingRoom-Inventory</c> (what is left to sell) is noted for the route's
/// room (<see cref="InventoryObserver"/>, written to Redis once a second) and removed: it never reaches the client. A value
/// that is not a non-negative integer is ignored, counted and logged (at most a line a second).
/// </summary>
internal sealed partial class InventoryTransformProvider(
    GatedRoutes routes,
    RoomMetrics metrics,
    TimeProvider timeProvider,
    ILogger<InventoryTransformProvider> logger)
    : ITransformProvider
{
    /// <summary>Most digits taken (a long's, less one: no overflow to handle).</summary>
    private const int MaxDigits = 18;

    private readonly LogThrottle _invalidLog = new(TimeSpan.FromSeconds(1), timeProvider);

    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        if (context.Route.Metadata?.ContainsKey(WaitingRoomHeaders.RouteMetadataKey) != true)
        {
            return;
        }

        context.AddResponseTransform(transform =>
        {
            var headers = transform.HttpContext.Response.Headers;
            if (headers.TryGetValue(WaitingRoomHeaders.Inventory, out var values))
            {
                headers.Remove(WaitingRoomHeaders.Inventory);
                if (routes.Of(context.Route).Room is { } room)
                {
                    if (values.Count == 1 && TryParse(values[0], out var remaining))
                    {
                        room.Inventory.Observe(remaining, timeProvider.GetUtcNow());
                    }
                    else
                    {
                        metrics.InventoryRefused(room.Name);
                        if (_invalidLog.TryEnter())
                        {
                            Log.InvalidInventory(logger, room.Name);
                        }
                    }
                }
            }

            return ValueTask.CompletedTask;
        });
    }

    /// <summary>Digits only (no sign, space or exponent), at most <see cref="MaxDigits"/>.</summary>
    internal static bool TryParse(string? text, out long remaining)
    {
        remaining = 0;
        return text is { Length: > 0 and <= MaxDigits }
            && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out remaining);
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.InventoryRefused, LogLevel.Warning, "Room {Room}: a backend sent an X-WaitingRoom-Inventory that is not one non-negative integer; ignored (at most a line a second)")]
        public static partial void InvalidInventory(ILogger logger, string room);
    }
}
