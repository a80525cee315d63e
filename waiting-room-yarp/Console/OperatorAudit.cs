using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Yarp.Diagnostics;
using YarpWaitingRoom.Yarp.Rooms;

namespace YarpWaitingRoom.Yarp.Console;

/// <summary>
/// The audit trail of operators' actions: each control call (mode, MaxActive, challenge, inventory, event, reset), made
/// from the console or with a key, is written to the room's events stream as an <c>operator</c> entry (who, what, in
/// words, when: the console's timeline shows it on every proxy), logged, and counted
/// (<c>waitingroom_operator_actions_total{room,action}</c>). Written after the action took effect; should Redis fail
/// the write, the log line still records it.
/// </summary>
internal sealed partial class OperatorAudit(GateMetrics metrics, ILogger<OperatorAudit> logger)
{
    /// <summary>Records that the operator of <paramref name="context"/> did <paramref name="action"/> to <paramref name="room"/>.</summary>
    public async Task RecordAsync(HttpContext context, Room room, string action, string detail)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(room);
        var name = AdminOperator.NameOf(context);
        Log.Acted(logger, name, room.Name, action, detail);
        metrics.OperatorAction(room.Name, action);
        try
        {
            await room.Queue.RecordOperatorActionAsync(name, action, detail);
        }
        catch (Exception ex) when (RedisCallPolicy.IsRedisFailure(ex))
        {
            Log.NotRecorded(logger, room.Name, action, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.OperatorAction, LogLevel.Warning, "Operator {Operator}: room {Room}: {Action} {Detail}")]
        public static partial void Acted(ILogger logger, string @operator, string room, string action, string detail);

        [LoggerMessage(EventIds.OperatorActionNotRecorded, LogLevel.Warning, "Room {Room}: the audit entry of {Action} could not be written to the events stream")]
        public static partial void NotRecorded(ILogger logger, string room, string action, Exception exception);
    }
}
