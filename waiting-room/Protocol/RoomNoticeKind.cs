namespace YarpWaitingRoom.Protocol;

/// <summary>What a message on a room's notify channel announces (<see cref="RoomNotice"/>).</summary>
internal enum RoomNoticeKind
{
    /// <summary><c>admitted|&lt;ms&gt;|t1,t2,…</c>: one admission batch (admit.lua); the hubs deliver its notices.</summary>
    Admitted,

    /// <summary><c>freed|&lt;ms&gt;|&lt;n&gt;</c>: n active slots freed (end-session.lua, reap.lua); the lock holder admits at once.</summary>
    Freed,

    /// <summary><c>revoked|&lt;ms&gt;|t1,t2,…</c>: these admissions ended; every proxy refuses their cookies.</summary>
    Revoked,

    /// <summary><c>state|&lt;version&gt;</c>: the room's state hash changed (write-state.lua, a reset); re-read it.</summary>
    State,

    /// <summary>
    /// <c>sale|&lt;ms&gt;</c>: the room's scheduled sale changed (scheduled, replaced, cancelled, drawn: schedule-event.lua,
    /// draw-swap.lua); re-read it. After a draw the hubs place their pre-queue sessions and push every place at once.
    /// </summary>
    Sale,

    /// <summary>
    /// <c>stock|&lt;ms&gt;</c>: the room became sold out or stopped being (inventory.lua); re-read its inventory: the hubs tell
    /// the waiting, the proxies answer new visitors, admission resumes.
    /// </summary>
    Stock,
}
