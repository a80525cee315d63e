namespace YarpWaitingRoom.Switch;

/// <summary>
/// The switch's whole memory, small enough to keep in the room's Redis state hash so that whichever instance
/// evaluates next carries the debounce timers on.
/// </summary>
/// <param name="QueueOn">Whether visitors without admission are queued.</param>
/// <param name="Since">When <paramref name="QueueOn"/> last changed.</param>
/// <param name="Reason">Why it last changed.</param>
/// <param name="HighSince">Since when the 10-second average has stayed at or above OnThreshold (null when it is not).</param>
/// <param name="CalmSince">Since when the 10-second average has stayed at or below OffThreshold with nobody waiting (null when not).</param>
internal sealed record SwitchState(bool QueueOn, DateTimeOffset Since, string Reason, DateTimeOffset? HighSince, DateTimeOffset? CalmSince)
{
    public static SwitchState Initial(DateTimeOffset now) => new(false, now, SwitchReasons.Initial, null, null);
}
