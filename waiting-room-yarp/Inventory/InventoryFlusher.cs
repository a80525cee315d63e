using YarpWaitingRoom.Yarp.Diagnostics;
using YarpWaitingRoom.Yarp.Rooms;

namespace YarpWaitingRoom.Yarp.Inventory;

/// <summary>
/// Once a second, writes each room's latest inventory seen in this proxy's responses (<see cref="InventoryObserver"/>) to
/// Redis, where the latest observation of any proxy or operator wins (<c>inventory.lua</c>). A sold-out change is
/// announced there, and the admission scheduler is woken: seats came back.
/// </summary>
internal sealed partial class InventoryFlusher(
    RoomRegistry rooms,
    AdmissionSignal admissionSignal,
    TimeProvider timeProvider,
    ILogger<InventoryFlusher> logger) : PerRoomFlusher(rooms, timeProvider, TimeSpan.FromSeconds(1))
{
    /// <summary>What this proxy writes as the observation's source.</summary>
    public const string Source = "proxy";

    /// <summary>Writes the room's pending observation, if any; a failure is logged and the observation kept for the next flush unless a newer one came.</summary>
    internal override async Task FlushAsync(Room room)
    {
        if (room.Inventory.Take() is not { } observation)
        {
            return;
        }

        try
        {
            var change = await room.Queue.SetInventoryAsync(observation.Remaining, observation.At, Source);
            if (change.Applied && change.After > 0 && change.Before is null or 0)
            {
                admissionSignal.CapacityFreed(room.Name);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            room.Inventory.Observe(observation.Remaining, observation.At);
            Log.FlushFailed(logger, room.Name, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.InventoryFlushFailed, LogLevel.Warning, "Room {Room}: writing the inventory seen in responses failed; retrying within a second")]
        public static partial void FlushFailed(ILogger logger, string room, Exception exception);
    }
}
