namespace YarpWaitingRoom.Yarp.Console;

/// <summary>What the operator console's page starts with; the live numbers come over its event stream.</summary>
/// <param name="Language"><c>"ko"</c> or <c>"en"</c> (see <see cref="Hosting.PageLanguages.Pick"/>).</param>
/// <param name="Operator">The signed-in operator's name (the key's name in <c>WaitingRoom:AdminKeys</c>).</param>
/// <param name="CsrfToken">The session's token: the page's calls send it in <c>X-WaitingRoom-Csrf</c>, its sign-out form in <c>csrf</c>.</param>
/// <param name="ExpiresAt">When the session ends.</param>
/// <param name="Room">The room shown.</param>
/// <param name="Rooms">Every configured room, in the order of the room picker.</param>
/// <param name="OffThreshold">The shown room's <c>OffThreshold</c> (requests per second), a line on the chart.</param>
/// <param name="OnThreshold">The shown room's <c>OnThreshold</c>.</param>
/// <param name="SpikeThreshold">The shown room's <c>SpikeThreshold</c>.</param>
internal sealed record ConsolePageModel(
    string Language,
    string Operator,
    string CsrfToken,
    DateTimeOffset ExpiresAt,
    string Room,
    IReadOnlyList<string> Rooms,
    int OffThreshold,
    int OnThreshold,
    int SpikeThreshold);
