namespace YarpWaitingRoom.Queue;

/// <summary>An admission that ended (ended, expired, or reaped while admitted): its cookie must no longer admit.</summary>
/// <param name="Ticket">The ticket the admission cookie names.</param>
/// <param name="EndedAtMs">When it ended (ms since epoch), as recorded in the room's revocation log.</param>
internal readonly record struct RevokedAdmission(string Ticket, long EndedAtMs);
