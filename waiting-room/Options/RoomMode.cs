namespace YarpWaitingRoom.Options;

/// <summary>How a room's queue switch is driven.</summary>
public enum RoomMode
{
    /// <summary>The traffic rate decides (spike, sustained, calm).</summary>
    Auto,

    /// <summary>Queue forced on: everyone without admission waits; admission continues.</summary>
    On,

    /// <summary>Queue forced off: everyone passes (still up to MaxActive admitted directly).</summary>
    Off,

    /// <summary>Queue on and admission stopped: everyone keeps their place, no one is admitted.</summary>
    Paused,
}
