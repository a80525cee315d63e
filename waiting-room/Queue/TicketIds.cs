using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;

namespace YarpWaitingRoom.Queue;

/// <summary>
/// Ticket ids, written by the scripts (prelude.lua's <c>ticket_of</c>, join.lua) and read here: a ticket names its visitor,
/// so the room keeps no record per ticket. <c>&lt;visitor&gt;.&lt;sequence&gt;</c> for a place taken in the queue (the
/// sequence is the place's score in <see cref="Redis.RedisKeys.Waiting"/>, in decimal), and
/// <c>&lt;visitor&gt;.d&lt;random&gt;</c> for a direct admission (queue off: no sequence is taken). The visitor is
/// everything before the last <c>.</c>. A ticket is as hard to guess as its visitor id (96 random bits when a proxy issued
/// it); the sequence makes it unique, so a visitor who joins again never gets a ticket of theirs back.
/// </summary>
internal static class TicketIds
{
    /// <summary>Separates the visitor from the rest.</summary>
    public const char Separator = '.';

    /// <summary>What starts the rest of a direct admission's ticket (never a digit).</summary>
    public const char DirectMark = 'd';

    private const int RandomBytes = 12;

    /// <summary>96 random bits, base64url (16 characters): a visitor id's random part, or a direct admission's.</summary>
    public static string New()
    {
        Span<byte> random = stackalloc byte[RandomBytes];
        RandomNumberGenerator.Fill(random);
        return Base64Url.EncodeToString(random);
    }

    /// <summary>The ticket of <paramref name="visitor"/>'s place in the queue under <paramref name="sequence"/>.</summary>
    public static string Queued(string visitor, long sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{visitor}{Separator}{sequence}");

    /// <summary>
    /// Reads a ticket: its visitor, and its sequence when it is a place taken in the queue (null for a direct admission).
    /// False when <paramref name="ticket"/> is not a ticket id.
    /// </summary>
    public static bool TryParse(string? ticket, out string visitor, out long? sequence)
    {
        visitor = string.Empty;
        sequence = null;
        var dot = ticket is null ? -1 : ticket.LastIndexOf(Separator);
        if (dot <= 0 || dot == ticket!.Length - 1)
        {
            return false;
        }

        var rest = ticket.AsSpan(dot + 1);
        if (long.TryParse(rest, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            sequence = parsed;
        }
        else if (rest[0] != DirectMark)
        {
            return false;
        }

        visitor = ticket[..dot];
        return true;
    }
}
