using System.Globalization;

namespace YarpWaitingRoom.Protocol;

/// <summary>
/// A message on a room's notify channel (<see cref="Redis.RedisKeys.Notify"/>): <c>&lt;kind&gt;|&lt;number&gt;|&lt;payload&gt;</c>.
/// <list type="table">
/// <item><term><c>admitted|&lt;ms&gt;|t1,t2,…</c></term><description>an admission batch, oldest first</description></item>
/// <item><term><c>freed|&lt;ms&gt;|&lt;n&gt;</c></term><description>n active slots freed</description></item>
/// <item><term><c>revoked|&lt;ms&gt;|t1,t2,…</c></term><description>admissions that ended (their cookies stop admitting)</description></item>
/// <item><term><c>state|&lt;version&gt;</c></term><description>the state hash changed</description></item>
/// <item><term><c>sale|&lt;ms&gt;</c></term><description>the room's scheduled sale changed (scheduled, cancelled, drawn)</description></item>
/// <item><term><c>stock|&lt;ms&gt;</c></term><description>the room became sold out, or stopped being</description></item>
/// </list>
/// The Lua scripts write it with the library's <c>notice(kind, number, payload)</c>; this type is its one formatter on the
/// .NET side and its one parser, used by proxies and hubs alike. <see cref="TryParse"/> refuses anything else (an unknown
/// kind, a missing number, an empty ticket list), so a reader never acts on half a message.
/// </summary>
internal sealed class RoomNotice
{
    private const char Separator = '|';
    private const char ListSeparator = ',';

    private RoomNotice(RoomNoticeKind kind, long number, IReadOnlyList<string> tickets, long count)
    {
        Kind = kind;
        Number = number;
        Tickets = tickets;
        Count = count;
    }

    public RoomNoticeKind Kind { get; }

    /// <summary>When it happened (ms since the Unix epoch) for admitted, freed, revoked, sale and stock; the state's version for state.</summary>
    public long Number { get; }

    /// <summary>The tickets of an admitted or revoked notice (never empty for those); empty otherwise.</summary>
    public IReadOnlyList<string> Tickets { get; }

    /// <summary>Slots freed (freed), tickets named (admitted, revoked), 0 for state.</summary>
    public long Count { get; }

    public static RoomNotice Admitted(long atMs, IReadOnlyList<string> tickets) => WithTickets(RoomNoticeKind.Admitted, atMs, tickets);

    public static RoomNotice Revoked(long atMs, IReadOnlyList<string> tickets) => WithTickets(RoomNoticeKind.Revoked, atMs, tickets);

    public static RoomNotice Freed(long atMs, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        return new RoomNotice(RoomNoticeKind.Freed, atMs, [], count);
    }

    public static RoomNotice State(long version) => new(RoomNoticeKind.State, version, [], 0);

    public static RoomNotice Sale(long atMs) => new(RoomNoticeKind.Sale, atMs, [], 0);

    public static RoomNotice Stock(long atMs) => new(RoomNoticeKind.Stock, atMs, [], 0);

    /// <summary>The wire form, exactly as the scripts publish it.</summary>
    public string Format()
    {
        var head = KindName(Kind) + Separator + Number.ToString(CultureInfo.InvariantCulture);
        return Kind switch
        {
            RoomNoticeKind.State or RoomNoticeKind.Sale or RoomNoticeKind.Stock => head,
            RoomNoticeKind.Freed => head + Separator + Count.ToString(CultureInfo.InvariantCulture),
            _ => head + Separator + string.Join(ListSeparator, Tickets),
        };
    }

    public override string ToString() => Format();

    /// <summary>Reads a notify message; false for anything that is not one of the six well-formed kinds.</summary>
    public static bool TryParse(string? message, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RoomNotice? notice)
    {
        notice = null;
        if (string.IsNullOrEmpty(message))
        {
            return false;
        }

        var text = message.AsSpan();
        var bar = text.IndexOf(Separator);
        if (bar <= 0 || ParseKind(text[..bar]) is not { } kind)
        {
            return false;
        }

        var rest = text[(bar + 1)..];
        var second = rest.IndexOf(Separator);
        var numberText = second < 0 ? rest : rest[..second];
        if (!long.TryParse(numberText, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        if (kind is RoomNoticeKind.State or RoomNoticeKind.Sale or RoomNoticeKind.Stock)
        {
            notice = second < 0 ? new RoomNotice(kind, number, [], 0) : null;
            return notice is not null;
        }

        if (second < 0)
        {
            return false;
        }

        var payload = rest[(second + 1)..];
        if (kind == RoomNoticeKind.Freed)
        {
            if (!long.TryParse(payload, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count <= 0)
            {
                return false;
            }

            notice = new RoomNotice(kind, number, [], count);
            return true;
        }

        var tickets = payload.ToString().Split(ListSeparator, StringSplitOptions.RemoveEmptyEntries);
        if (tickets.Length == 0)
        {
            return false;
        }

        notice = new RoomNotice(kind, number, tickets, tickets.Length);
        return true;
    }

    private static RoomNotice WithTickets(RoomNoticeKind kind, long atMs, IReadOnlyList<string> tickets)
    {
        ArgumentNullException.ThrowIfNull(tickets);
        if (tickets.Count == 0)
        {
            throw new ArgumentException("An admitted or revoked notice names at least one ticket.", nameof(tickets));
        }

        foreach (var ticket in tickets)
        {
            if (string.IsNullOrEmpty(ticket) || ticket.AsSpan().IndexOfAny(Separator, ListSeparator) >= 0)
            {
                throw new ArgumentException($"'{ticket}' is not a ticket id.", nameof(tickets));
            }
        }

        return new RoomNotice(kind, atMs, tickets, tickets.Count);
    }

    private static string KindName(RoomNoticeKind kind) => kind switch
    {
        RoomNoticeKind.Admitted => "admitted",
        RoomNoticeKind.Freed => "freed",
        RoomNoticeKind.Revoked => "revoked",
        RoomNoticeKind.State => "state",
        RoomNoticeKind.Sale => "sale",
        RoomNoticeKind.Stock => "stock",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static RoomNoticeKind? ParseKind(ReadOnlySpan<char> name) => name switch
    {
        "admitted" => RoomNoticeKind.Admitted,
        "freed" => RoomNoticeKind.Freed,
        "revoked" => RoomNoticeKind.Revoked,
        "state" => RoomNoticeKind.State,
        "sale" => RoomNoticeKind.Sale,
        "stock" => RoomNoticeKind.Stock,
        _ => null,
    };
}
