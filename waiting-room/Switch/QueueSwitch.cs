using YarpWaitingRoom.Options;

namespace YarpWaitingRoom.Switch;

/// <summary>
/// The queue switch as a pure function of its previous state, the room's settings, one traffic sample and the time.
/// <list type="bullet">
/// <item>OFF → ON at once when the last second reaches SpikeThreshold.</item>
/// <item>OFF → ON when the 10-second average has stayed at or above OnThreshold for Debounce.</item>
/// <item>ON → OFF when the 10-second average has stayed at or below OffThreshold for Debounce and nobody waits.</item>
/// <item>Modes On / Off / Paused override the rate; Auto hands control back (timers restart from now).</item>
/// </list>
/// A dip below OnThreshold resets the "high" timer; a rise above OffThreshold or anyone waiting resets the "calm" one.
/// </summary>
internal static class QueueSwitch
{
    public static SwitchState Evaluate(SwitchState previous, RoomOptions room, RoomMode mode, TrafficSample sample, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(room);

        switch (mode)
        {
            case RoomMode.On:
                return Forced(previous, queueOn: true, SwitchReasons.ModeOn, now);
            case RoomMode.Paused:
                return Forced(previous, queueOn: true, SwitchReasons.ModePaused, now);
            case RoomMode.Off:
                return Forced(previous, queueOn: false, SwitchReasons.ModeOff, now);
        }

        var high = sample.TenSecondAverage >= room.OnThreshold;
        var calm = sample.TenSecondAverage <= room.OffThreshold && sample.Waiting == 0;
        var highSince = high ? previous.HighSince ?? now : (DateTimeOffset?)null;
        var calmSince = calm ? previous.CalmSince ?? now : (DateTimeOffset?)null;

        if (!previous.QueueOn)
        {
            if (sample.LastSecond >= room.SpikeThreshold)
            {
                return new SwitchState(true, now, SwitchReasons.Spike, highSince, null);
            }

            if (highSince is { } h && now - h >= room.Debounce)
            {
                return new SwitchState(true, now, SwitchReasons.Sustained, highSince, null);
            }
        }
        else if (calmSince is { } c && now - c >= room.Debounce)
        {
            return new SwitchState(false, now, SwitchReasons.Calm, null, calmSince);
        }

        return previous with { HighSince = highSince, CalmSince = calmSince };
    }

    /// <summary>The state of a room never evaluated yet: off under Auto, else what the mode forces.</summary>
    public static SwitchState Start(RoomOptions room, RoomMode mode, DateTimeOffset now) =>
        mode == RoomMode.Auto ? SwitchState.Initial(now) : Evaluate(SwitchState.Initial(now), room, mode, default, now);

    private static SwitchState Forced(SwitchState previous, bool queueOn, string reason, DateTimeOffset now) =>
        previous.QueueOn == queueOn && previous.Reason == reason
            ? previous with { HighSince = null, CalmSince = null }
            : new SwitchState(queueOn, now, reason, null, null);
}
