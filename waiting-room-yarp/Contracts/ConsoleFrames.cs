using System.Text.Json.Serialization;
using YarpWaitingRoom.Traffic;

namespace YarpWaitingRoom.Yarp.Contracts;

/// <summary>One second of a room's request rate on the console's chart.</summary>
/// <param name="T">The second, Unix time.</param>
/// <param name="Rate">Requests in that second, all proxies.</param>
/// <param name="Avg10">The 10-second average the switch compares with its thresholds.</param>
internal sealed record RatePoint(long T, double Rate, double Avg10);

/// <summary>An entry of the console's timeline: a switch, an operator's action, an admission batch, a draw.</summary>
internal sealed record TimelineItem(
    string Id,
    DateTimeOffset At,
    string Kind,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? QueueOn = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Count = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Participants = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Operator = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Action = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Detail = null);

/// <summary>The live stream's first event: what the console draws before the first tick.</summary>
internal sealed record ConsoleHello(string Room, string Operator, RatePoint[] History, TimelineItem[] Timeline);

/// <summary>The live stream's event of every second.</summary>
/// <param name="At">When the frame was made.</param>
/// <param name="View">The room as the admin API shows it (state from this proxy's snapshot, figures read every few ticks).</param>
/// <param name="Point">This second's point on the rate chart.</param>
/// <param name="Routes">The room's per-route traffic over the last minute, every few ticks; null in between (keep the last).</param>
/// <param name="Timeline">The timeline's entries since the last tick.</param>
internal sealed record ConsoleTick(DateTimeOffset At, RoomView View, RatePoint Point, RouteTraffic[]? Routes, TimelineItem[] Timeline);

/// <summary>The live stream's last event: why it ends (<c>expired</c>, <c>signed-out</c>, <c>stopping</c>).</summary>
internal sealed record ConsoleEnd(string Reason);
