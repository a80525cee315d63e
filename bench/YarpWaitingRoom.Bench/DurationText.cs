using System.Globalization;

namespace YarpWaitingRoom.Bench;

/// <summary>Durations on the command line: <c>90</c> (seconds), <c>90s</c>, <c>5m</c>, <c>2h</c>, or units together (<c>1h30m</c>).</summary>
internal static class DurationText
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var span = text.AsSpan().Trim();
        if (long.TryParse(span, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            duration = TimeSpan.FromSeconds(seconds);
            return true;
        }

        var total = TimeSpan.Zero;
        var lastUnit = int.MaxValue;
        while (!span.IsEmpty)
        {
            var digits = 0;
            while (digits < span.Length && char.IsAsciiDigit(span[digits]))
            {
                digits++;
            }

            if (digits == 0 || digits == span.Length
                || !long.TryParse(span[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
            {
                return false;
            }

            // Units from largest to smallest, each at most once: 1h30m, not 30m1h or 5m5m.
            var (unit, rank) = char.ToLowerInvariant(span[digits]) switch
            {
                'h' => (TimeSpan.FromHours(1), 3),
                'm' => (TimeSpan.FromMinutes(1), 2),
                's' => (TimeSpan.FromSeconds(1), 1),
                _ => (TimeSpan.Zero, 0),
            };
            if (rank == 0 || rank >= lastUnit)
            {
                return false;
            }

            lastUnit = rank;
            total += unit * amount;
            span = span[(digits + 1)..];
        }

        duration = total;
        return true;
    }
}
