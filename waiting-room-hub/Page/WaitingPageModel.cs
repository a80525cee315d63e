namespace YarpWaitingRoom.Hub.Page;

/// <summary>What the waiting page shows when it is first rendered; wait.js keeps it current afterwards.</summary>
/// <param name="Room">The room's name (the page heading).</param>
/// <param name="Ticket">The signed ticket token, as carried by <c>t=</c>.</param>
/// <param name="ReturnUrl">The local URL the visitor first asked for.</param>
/// <param name="Position">The place in line (1 = next), or <see langword="null"/> when not known.</param>
/// <param name="EtaSeconds">Estimated wait, or <see langword="null"/> while it cannot be estimated.</param>
/// <param name="QueueOn">Whether the room's queue is on.</param>
/// <param name="Language"><c>"ko"</c> or <c>"en"</c> (see <see cref="WaitingPage.PickLanguage"/>).</param>
/// <param name="State"><c>"waiting"</c>, <c>"active"</c>, <c>"gone"</c> or <c>"unknown"</c>.</param>
/// <param name="EnterUrl">The one-time entry link once <paramref name="State"/> is <c>"active"</c>.</param>
internal sealed record WaitingPageModel(
    string Room,
    string Ticket,
    string ReturnUrl,
    long? Position,
    double? EtaSeconds,
    bool QueueOn,
    string Language,
    string State,
    string? EnterUrl);
