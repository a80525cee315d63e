using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Switch;
using YarpWaitingRoom.Yarp.Contracts;
using YarpWaitingRoom.Yarp.Diagnostics;
using YarpWaitingRoom.Yarp.Rooms;

namespace YarpWaitingRoom.Yarp.Endpoints;

/// <summary>
/// A room's limits at runtime under the admin API, each a whole number an operator sets over the configured one, or
/// clears with <c>null</c> so the configured value holds again:
/// <list type="bullet">
/// <item><c>PUT /_wr/admin/rooms/&lt;room&gt;/max-active {"maxActive": N}</c> (0 to <see cref="RoomOptions.MaxActiveLimit"/>;
/// 0 admits no one new, those admitted stay), for an operator who lowers the cap while the backend struggles, or raises
/// it (a raised cap admits at once);</item>
/// <item><c>PUT /_wr/admin/rooms/&lt;room&gt;/network-cap {"maxPlacesPerNetwork": N}</c> (0 to
/// <see cref="RoomOptions.MaxPlacesPerNetworkLimit"/>; 0 turns the cap off), for an operator who tightens the per-network
/// cap during an attack, or loosens it for a venue behind one address.</item>
/// </list>
/// Each is stored with the room's state; the scripts read it in their own atomic step, so the next join or admission
/// obeys it; this proxy's view has it at once, every other proxy and hub within a second (their 1-s poll). A room reset
/// clears it. Mapped inside <see cref="AdminApi"/>'s guarded group; each change is logged and audited.
/// </summary>
internal static partial class CapacityApi
{
    /// <summary>The most visitors active at once (<see cref="RoomOptions.MaxActive"/>).</summary>
    public static readonly RuntimeLimit MaxActive = new(
        "max-active", "maxActive", "MaxActive", RoomOptions.MaxActiveLimit, ProblemTypes.InvalidMaxActive,
        options => options.MaxActive, (snapshot, options) => snapshot.MaxActiveOf(options),
        (store, value, now) => store.SetMaxActiveAsync(value, now), Log.MaxActiveSet, RaiseAdmits: true);

    /// <summary>The most waiting places per client network (<see cref="RoomOptions.MaxPlacesPerNetwork"/>; 0 = off).</summary>
    public static readonly RuntimeLimit MaxPlacesPerNetwork = new(
        "network-cap", "maxPlacesPerNetwork", "MaxPlacesPerNetwork", RoomOptions.MaxPlacesPerNetworkLimit, ProblemTypes.InvalidNetworkCap,
        options => options.MaxPlacesPerNetwork, (snapshot, options) => snapshot.MaxPlacesPerNetworkOf(options),
        (store, value, now) => store.SetMaxPlacesPerNetworkAsync(value, now), Log.MaxPlacesPerNetworkSet, RaiseAdmits: false);

    /// <summary>Both limits.</summary>
    public static IReadOnlyList<RuntimeLimit> All { get; } = [MaxActive, MaxPlacesPerNetwork];

    public static void Map(RouteGroupBuilder admin)
    {
        ArgumentNullException.ThrowIfNull(admin);
        foreach (var limit in All)
        {
            admin.MapPut("/rooms/{room}/" + limit.Path, (
                string room, HttpRequest request, RoomRegistry rooms, AdmissionSignal admissionSignal, Console.OperatorAudit audit,
                TimeProvider timeProvider, ILogger<RoomRegistry> logger, CancellationToken cancellationToken) =>
                SetAsync(limit, room, request, rooms, admissionSignal, audit, timeProvider, logger, cancellationToken));
        }
    }

    public static async Task<Results<Ok<RoomView>, ProblemHttpResult>> SetAsync(
        RuntimeLimit limit, string room, HttpRequest request, RoomRegistry rooms, AdmissionSignal admissionSignal, Console.OperatorAudit audit,
        TimeProvider timeProvider, ILogger<RoomRegistry> logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limit);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(admissionSignal);
        ArgumentNullException.ThrowIfNull(audit);
        if (!rooms.TryGet(room, out var target))
        {
            return AdminApi.RoomNotFound(room);
        }

        if (await ReadAsync(request, limit, cancellationToken) is not { } asked)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: $"Invalid {limit.Name}",
                detail: $"Give a JSON object whose '{limit.Field}' is a whole number from 0 to {limit.Limit}, or null to go back to the configured {limit.Configured(target.Options)}.",
                type: limit.ProblemType,
                extensions: new Dictionary<string, object?> { ["field"] = limit.Field });
        }

        var call = target.BeginStateCall();
        var (previous, written) = await limit.Set(target.Switch, asked.Value, timeProvider.GetUtcNow());
        target.Publish(call, written);
        var before = previous ?? limit.Configured(target.Options);
        var after = limit.InForce(written, target.Options);
        if (limit.RaiseAdmits && after > before)
        {
            admissionSignal.CapacityFreed(target.Name);
        }

        limit.Log(logger, target.Name, before, after, asked.Value is null ? "cleared: the configured value" : "operator's value");
        await audit.RecordAsync(request.HttpContext, target, limit.Path, asked.Value is null ? $"{before} → {after} (configured)" : $"{before} → {after}");
        return TypedResults.Ok(await AdminApi.ViewAsync(target, timeProvider));
    }

    /// <summary>
    /// The body's one field (<see cref="RuntimeLimit.Field"/>): a whole number from 0 to the limit, or null (clear); null
    /// when the body is anything else (not a JSON object, the field missing or said twice, a string, a fraction, out of
    /// range). The field's name is matched as the other admin bodies' are (case-insensitive, the web defaults).
    /// </summary>
    internal static async Task<Requested?> ReadAsync(HttpRequest request, RuntimeLimit limit, CancellationToken cancellationToken)
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
                if (!string.Equals(property.Name, limit.Field, StringComparison.OrdinalIgnoreCase))
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
                    JsonValueKind.Number when property.Value.TryGetInt32(out var n) && n >= 0 && n <= limit.Limit => new Requested(n),
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

    /// <summary>A limit an operator may set at runtime.</summary>
    /// <param name="Path">The admin API's path under the room, and the audit trail's action.</param>
    /// <param name="Field">The body's one field.</param>
    /// <param name="Name">The option's name, as configured.</param>
    /// <param name="Limit">The most it may be (the least is 0).</param>
    /// <param name="ProblemType">The problem type of a body that is not a value in range.</param>
    /// <param name="Configured">The room's configured value.</param>
    /// <param name="InForce">The value in force in a state read.</param>
    /// <param name="Set">Sets it (a value) or clears it (null) in the room's state; the operator's value before and the state after.</param>
    /// <param name="Log">Logs a change: room, before, after, whose value holds now.</param>
    /// <param name="RaiseAdmits">Whether a raised value lets admission run at once (capacity freed).</param>
    internal sealed record RuntimeLimit(
        string Path,
        string Field,
        string Name,
        int Limit,
        string ProblemType,
        Func<RoomOptions, int> Configured,
        Func<RoomSnapshot, RoomOptions, int> InForce,
        Func<SwitchStore, int?, DateTimeOffset, Task<(int? Before, RoomSnapshot After)>> Set,
        Action<ILogger, string, int, int, string> Log,
        bool RaiseAdmits);

    private static partial class Log
    {
        [LoggerMessage(EventIds.MaxActiveSet, LogLevel.Warning, "Room {Room}: MaxActive set by an operator from {Before} to {After} ({Source})")]
        public static partial void MaxActiveSet(ILogger logger, string room, int before, int after, string source);

        [LoggerMessage(EventIds.MaxPlacesPerNetworkSet, LogLevel.Warning, "Room {Room}: MaxPlacesPerNetwork set by an operator from {Before} to {After} ({Source}; 0 = off)")]
        public static partial void MaxPlacesPerNetworkSet(ILogger logger, string room, int before, int after, string source);
    }
}
