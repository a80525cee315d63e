namespace YarpWaitingRoom.Hub.Page;

/// <summary>What the waiting page shows when it is first rendered; wait.js keeps it current afterwards.</summary>
/// <param name="Room">The room's name, as in its URLs (the WebSocket, the ticket status, the sale's public document).</param>
/// <param name="Ticket">The signed ticket token, as carried by <c>t=</c>.</param>
/// <param name="ReturnUrl">The local URL the visitor first asked for.</param>
/// <param name="Position">The place in line (1 = next), or <see langword="null"/> when not known.</param>
/// <param name="EtaSeconds">Estimated wait, or <see langword="null"/> while it cannot be estimated.</param>
/// <param name="QueueOn">Whether the room's queue is on.</param>
/// <param name="Language"><c>"ko"</c> or <c>"en"</c> (see <see cref="Hosting.PageLanguages.Pick"/>).</param>
/// <param name="State">
/// <c>"prequeue"</c>, <c>"waiting"</c>, <c>"active"</c>, <c>"gone"</c>, <c>"unknown"</c>, or <c>"closed"</c> (the room
/// closes once sold out and turned the visitor away: no ticket, the sold-out page).
/// </param>
/// <param name="EnterUrl">The one-time entry link once <paramref name="State"/> is <c>"active"</c>.</param>
/// <param name="Title">
/// What the page calls the room (its heading and title): the scheduled sale's name, else the room's display name in the
/// page's language (<see cref="WaitingPageTitle"/>); <paramref name="Room"/> when <see langword="null"/>.
/// </param>
/// <param name="Receipt">The visitor's receipt in the sale's draw (the public id of their place), when they have one.</param>
/// <param name="StartsAt">When the sale starts (the draw), while the visitor is in its pre-queue.</param>
/// <param name="Now">The server's clock when the page was rendered: the countdown's remaining time is measured from it.</param>
/// <param name="Lottery">Whether the sale's pre-queue is drawn at random at the start (else it goes by arrival).</param>
/// <param name="SoldOut">The room is sold out: a waiting visitor is told so, and offered to keep the place or leave.</param>
/// <param name="GoneReason">When gone: why (<c>expired</c>, <c>abandoned</c>, <c>ended</c>, <c>left</c>), if known.</param>
internal sealed record WaitingPageModel(
    string Room,
    string Ticket,
    string ReturnUrl,
    long? Position,
    double? EtaSeconds,
    bool QueueOn,
    string Language,
    string State,
    string? EnterUrl,
    string? Title = null,
    string? Receipt = null,
    DateTimeOffset? StartsAt = null,
    DateTimeOffset? Now = null,
    bool Lottery = true,
    bool SoldOut = false,
    string? GoneReason = null);
