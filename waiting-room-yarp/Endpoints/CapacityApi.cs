using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Yarp.Contracts;
using YarpWaitingRoom.Yarp.Diagnostics;
using YarpWaitingRoom.Yarp.Rooms;

namespace YarpWaitingRoom.Yarp.Endpoints;

/// <summary>
/// A room's <c>MaxActive</c> at runtime under the admin API, for an operator who lowers the cap while the backend
/// struggles (or raises it): <c>PUT /_wr/admin/rooms/&lt;room&gt;/max-active {"maxActive": N}</c> (0 to
/// <see cref="RoomOptions.MaxActiveLimit"/>; 0 admits no one new, those admitted stay) stores it with the room's state;
/// <c>{"maxActive": null}</c> clears it, and the configured value holds again. Admission obeys it from its next call (the
/// scripts read it in their own atomic step), this proxy's view at once, every other proxy and hub within a second
/// (their 1-s poll); a raised cap admits at once. A room reset clears it. Mapped inside <see cref="AdminApi"/>'s guarded
/// group; each change is logged.
/// </summary>
internal static partial class CapacityApi
{
    /// <summary>The body's one field.</summary>
    public const string Field = "maxActive";

    public static void Map(RouteGroupBuilder admin)
    {
        ArgumentNullException.ThrowIfNull(admin);
        admin.MapPut("/rooms/{room}/max-active", SetAsync);
    }

    public static async Task<Results<Ok<RoomView>, ProblemHttpResult>> SetAsync(
        string room, HttpRequest request, RoomRegistry rooms, AdmissionSignal admissionSignal, Console.OperatorAudit audit, TimeProvider timeProvider,
        ILogger<RoomRegistry> logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(admissionSignal);
        if (!rooms.TryGet(room, out var target))
        {
            return AdminApi.RoomNotFound(room);
        }

        if (await ReadAsync(request, cancellationToken) is not { } asked)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "Invalid MaxActive",
                detail: $"Give a JSON object whose '{Field}' is a whole number from 0 to {RoomOptions.MaxActiveLimit}, or null to go back to the configured {target.Options.MaxActive}.",
                type: ProblemTypes.InvalidMaxActive,
                extensions: new Dictionary<string, object?> { ["field"] = Field });
        }

        var call = target.BeginStateCall();
        var (previous, written) = await target.Switch.SetMaxActiveAsync(asked.Value, timeProvider.GetUtcNow());
        target.Publish(call, written);
        var before = previous ?? target.Options.MaxActive;
        var after = written.MaxActiveOf(target.Options);
        if (after > before)
        {
            admissionSignal.CapacityFreed(target.Name);
        }

        Log.MaxActiveSet(logger, target.Name, before, after, asked.Value is null ? "cleared: the configured value" : "operator's value");
        await audit.RecordAsync(request.HttpContext, target, "max-active", asked.Value is null ? $"{before} → {after} (configured)" : $"{before} → {after}");
        return TypedResults.Ok(await AdminApi.ViewAsync(target, timeProvider));
    }

    /// <summary>
    /// The body's <c>maxActive</c>: a whole number in range, or null (clear); null when the body is anything else (not a
    /// JSON object, the field missing, a string, a fraction, out of range). The field's name is matched as the other admin
    /// bodies' are (case-insensitive, the web defaults).
    /// </summary>
    internal static async Task<Requested?> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return null;
        }

        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, default, cancellationToken);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            Requested? found = null;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!string.Equals(property.Name, Field, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (found is not null)
                {
                    return null; // said twice: which one was meant?
                }

                found = property.Value.ValueKind switch
                {
                    JsonValueKind.Null => new Requested(null),
                    JsonValueKind.Number when property.Value.TryGetInt32(out var n) && n is >= 0 and <= RoomOptions.MaxActiveLimit => new Requested(n),
                    _ => null,
                };
                if (found is null)
                {
                    return null;
                }
            }

            return found;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>What the body asked: a value, or null to clear the operator's.</summary>
    internal readonly record struct Requested(int? Value);

    private static partial class Log
    {
        [LoggerMessage(EventIds.MaxActiveSet, LogLevel.Warning, "Room {Room}: MaxActive set by an operator from {Before} to {After} ({Source})")]
        public static partial void MaxActiveSet(ILogger logger, string room, int before, int after, string source);
    }
}
