using System.Globalization;
using YarpWaitingRoom.Testing.Hub;

namespace YarpWaitingRoom.Bench.Scale;

/// <summary>
/// What the rehearsal and its client processes say to each other, one line each. In: the visitors
/// (<c>source\turi\tcookie</c>, an empty line ends them), then <see cref="Report"/> and <see cref="Close"/>. Out:
/// <see cref="Connected"/> (seconds, retries), <see cref="Ready"/> or <see cref="Failed"/>, on a report one receipt line
/// per message received (<see cref="FormatReceipt"/>) and <see cref="End"/> (failed, closed by a hub, unexpected), and
/// <see cref="Closed"/>. Any other line is prose (printed by the rehearsal as it is).
/// </summary>
internal static class ScaleClientProtocol
{
    public const string Connected = "#connected";
    public const string Ready = "#ready";
    public const string Failed = "#failed";
    public const string Receipt = "#r";
    public const string End = "#end";
    public const string Closed = "#closed";
    public const string Report = "report";
    public const string Close = "close";

    /// <summary><c>#r 42 p 123456789</c>: client 42 (its input line) received a position at Stopwatch timestamp 123456789.</summary>
    public static string FormatReceipt(int client, HubMessageKind kind, long at) =>
        string.Create(CultureInfo.InvariantCulture, $"{Receipt} {client} {KindLetter(kind)} {at}");

    /// <summary>The receipt in <paramref name="line"/>; false when it is not a receipt line.</summary>
    public static bool TryParseReceipt(string line, out int client, out HubMessageKind kind, out long at)
    {
        ArgumentNullException.ThrowIfNull(line);
        (client, kind, at) = (0, HubMessageKind.None, 0);
        var fields = line.Split(' ');
        if (fields.Length != 4 || fields[0] != Receipt || fields[2].Length != 1
            || !int.TryParse(fields[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out client)
            || !long.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out at))
        {
            return false;
        }

        kind = fields[2][0] switch
        {
            'p' => HubMessageKind.Position,
            'a' => HubMessageKind.Admitted,
            'g' => HubMessageKind.Gone,
            'o' => HubMessageKind.Other,
            _ => HubMessageKind.Invalid,
        };
        return true;
    }

    private static char KindLetter(HubMessageKind kind) => kind switch
    {
        HubMessageKind.Position => 'p',
        HubMessageKind.Admitted => 'a',
        HubMessageKind.Gone => 'g',
        HubMessageKind.Other => 'o',
        _ => 'i',
    };
}
