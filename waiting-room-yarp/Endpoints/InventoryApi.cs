using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Yarp.Contracts;
using YarpWaitingRoom.Yarp.Rooms;

namespace YarpWaitingRoom.Yarp.Endpoints;

/// <summary>
/// A room's inventory under the admin API: <c>PUT</c> sets what is left (<c>{"remaining": N}</c>, or <c>null</c> to clear
/// it), as of now, replacing any older observation (responses' <c>X-WaitingRoom-Inventory</c> keep updating it after);
/// <c>GET</c> shows it. Mapped inside <see cref="AdminApi"/>'s guarded group.
/// </summary>
internal static class InventoryApi
{
    /// <summary>What an operator's setting records as its source.</summary>
    public const string Source = "admin";

    public static void Map(RouteGroupBuilder admin)
    {
        ArgumentNullException.ThrowIfNull(admin);
        admin.MapPut("/rooms/{room}/inventory", SetAsync);
        admin.MapGet("/rooms/{room}/inventory", GetAsync);
    }

    public static async Task<Results<Ok<InventoryDocument>, ProblemHttpResult>> SetAsync(
        string room, InventoryRequest request, RoomRegistry rooms, AdmissionSignal admissionSignal, HttpContext context, Console.OperatorAudit audit, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!rooms.TryGet(room, out var target))
        {
            return AdminApi.RoomNotFound(room);
        }

        long? remaining;
        switch (request.Remaining.ValueKind)
        {
            case JsonValueKind.Null:
                remaining = null;
                break;
            case JsonValueKind.Number when request.Remaining.TryGetInt64(out var number) && number >= 0:
                remaining = number;
                break;
            default:
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status400BadRequest,
                    title: "Invalid inventory",
                    detail: "'remaining': give a non-negative whole number, or null to clear it.",
                    type: ProblemTypes.InvalidInventory,
                    extensions: new Dictionary<string, object?> { ["field"] = "remaining" });
        }

        var now = timeProvider.GetUtcNow();
        var change = await target.Queue.SetInventoryAsync(remaining, now, Source);
        if (change.After is > 0 && change.Before is null or 0)
        {
            admissionSignal.CapacityFreed(target.Name);
        }

        await audit.RecordAsync(context, target, "inventory", $"{Describe(change.Before)} → {Describe(remaining)}");

        return TypedResults.Ok(new InventoryDocument(target.Name, remaining, remaining is null ? null : now, remaining == 0));
    }

    public static async Task<Results<Ok<InventoryDocument>, ProblemHttpResult>> GetAsync(string room, RoomRegistry rooms, TimeProvider timeProvider)
    {
        if (!rooms.TryGet(room, out var target))
        {
            return AdminApi.RoomNotFound(room);
        }

        var snapshot = await target.Switch.ReadAsync(timeProvider.GetUtcNow());
        return TypedResults.Ok(new InventoryDocument(target.Name, snapshot.Inventory?.Remaining, snapshot.Inventory?.ObservedAt, snapshot.SoldOut));
    }

    private static string Describe(long? remaining) =>
        remaining?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown";
}
