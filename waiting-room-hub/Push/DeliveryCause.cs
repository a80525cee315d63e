namespace YarpWaitingRoom.Hub.Push;

/// <summary>Why the hub delivers admissions now: the one rule (<see cref="AdmissionNotifier.DeliverAsync"/>) differs only by this.</summary>
internal enum DeliveryCause
{
    /// <summary>An <c>admitted|…</c> batch arrived on the room's channel (every hub gets every batch).</summary>
    Batch,

    /// <summary>The push tick found the tickets admitted with a connection here that has no notice yet (a lost message).</summary>
    PushTick,

    /// <summary>A connection just opened for an admitted ticket (a reconnect, another tab).</summary>
    Connect,

    /// <summary>The waiting page is being rendered for an admitted ticket (no JavaScript, a reload).</summary>
    Page,
}
