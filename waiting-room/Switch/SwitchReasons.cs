namespace YarpWaitingRoom.Switch;

/// <summary>Why the switch moved: the <c>reason</c> of events, the label of the transitions metric.</summary>
internal static class SwitchReasons
{
    public const string Initial = "initial";

    /// <summary>The last second reached SpikeThreshold: on at once.</summary>
    public const string Spike = "spike";

    /// <summary>The 10-second average stayed at or above OnThreshold for Debounce.</summary>
    public const string Sustained = "sustained";

    /// <summary>The 10-second average stayed at or below OffThreshold for Debounce, and nobody waited.</summary>
    public const string Calm = "calm";

    public const string ModeOn = "mode-on";

    public const string ModeOff = "mode-off";

    public const string ModePaused = "mode-paused";

    public const string ModeAuto = "mode-auto";
}
