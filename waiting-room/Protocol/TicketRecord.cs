using System.Globalization;

namespace YarpWaitingRoom.Protocol;

/// <summary>
/// What the room keeps per live ticket in <see cref="Redis.RedisKeys.Tickets"/>: <c>visitor|createdMs|returnUrl</c>.
/// join.lua writes it; the scripts read it with the library's <c>ticket_visitor</c> / <c>ticket_created</c>; this is its
/// .NET codec. The return URL is last and may itself contain <c>|</c>.
/// </summary>
/// <param name="Visitor">Who holds the ticket (a <see cref="VisitorIds"/> value).</param>
/// <param name="CreatedMs">When the ticket was made (ms since the Unix epoch): the start of its wait.</param>
/// <param name="ReturnUrl">Where the visitor first wanted to go (kept local by the writer).</param>
internal readonly record struct TicketRecord(string Visitor, long CreatedMs, string ReturnUrl)
{
    private const char Separator = '|';

    public string Format() =>
        string.Create(CultureInfo.InvariantCulture, $"{Visitor}{Separator}{CreatedMs}{Separator}{ReturnUrl}");

    public static bool TryParse(string? value, out TicketRecord record)
    {
        record = default;
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        var parts = value.Split(Separator, 3);
        if (parts.Length != 3
            || parts[0].Length == 0
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var created))
        {
            return false;
        }

        record = new TicketRecord(parts[0], created, parts[2]);
        return true;
    }
}
