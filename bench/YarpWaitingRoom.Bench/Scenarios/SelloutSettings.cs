using System.Globalization;

namespace YarpWaitingRoom.Bench.Scenarios;

/// <summary>
/// What <c>./stack load journey --sellout</c> runs: how many wait beyond those the room admits at once, how many seats each
/// admitted buyer takes, how many visitors hold theirs back (four each) to release them later, and the room's bound the figures are read
/// against (<c>AdmitPerSeat</c>, <c>MaxActive</c>: the demo's unless the stack was started with others).
/// </summary>
internal sealed record SelloutSettings(
    Uri BaseUrl,
    Uri Backend,
    string Room,
    int Waiting,
    int? Visitors,
    int SeatsPerVisitor,
    int HoldBack,
    int Concurrency,
    double AdmitPerSeat,
    int MaxActive,
    TimeSpan MaxWait,
    TimeSpan Settle,
    TimeSpan HoldDuration,
    string? AdminKey)
{
    public const string Flag = "--sellout";

    /// <summary>The most seats the demo backend lets one visitor hold at once (<c>Reservation:Holds:MaxPerVisitor</c>).</summary>
    public const int MostSeatsPerVisitor = 4;

    /// <summary>The room options' defaults, as the stack's demo room has them.</summary>
    public const double DefaultAdmitPerSeat = 2.0;

    public const int DefaultMaxActive = 5000;

    /// <summary>
    /// Visitors to start with <paramref name="seats"/> to sell: as many as the room admits at once
    /// (<c>min(MaxActive, ceil(AdmitPerSeat × seats))</c>) and <see cref="Waiting"/> more, unless <see cref="Visitors"/> says.
    /// </summary>
    public int VisitorsFor(int seats)
    {
        if (Visitors is { } visitors)
        {
            return visitors;
        }

        var admittedAtOnce = AdmitPerSeat > 0 ? (int)Math.Min(MaxActive, Math.Ceiling(AdmitPerSeat * seats - 1e-9)) : MaxActive;
        return admittedAtOnce + Waiting;
    }

    /// <summary>
    /// The settings from the command line; the room's <c>AdmitPerSeat</c> and <c>MaxActive</c> default to what
    /// <paramref name="environment"/> passes the stack (<c>WaitingRoom__Rooms__&lt;room&gt;__AdmitPerSeat</c>), else the
    /// options' defaults. Null with <paramref name="error"/> for a value that is not one.
    /// </summary>
    public static SelloutSettings? Parse(
        IReadOnlyList<string> args, Func<string, string?> environment, Uri baseUrl, Uri backend, string? adminKey, out string? error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        error = null;
        var room = Text(args, "--room") ?? "concert";
        var roomOption = $"WaitingRoom__Rooms__{room}__";
        var problems = new List<string>();
        var waiting = Whole(args, "--waiting", 1000, minimum: 1, problems);
        var visitors = Text(args, "--visitors") is null ? (int?)null : Whole(args, "--visitors", 0, minimum: 1, problems);
        var perVisitor = Whole(args, "--seats-per-visitor", 1, minimum: 1, problems);
        if (perVisitor > MostSeatsPerVisitor)
        {
            problems.Add($"--seats-per-visitor is at most {MostSeatsPerVisitor} (the backend's limit per visitor)");
        }

        var holdBack = Whole(args, "--hold-back", 25, minimum: 1, problems);
        var concurrency = Whole(args, "--concurrency", 200, minimum: 1, problems);
        var admitPerSeat = Fraction(Text(args, "--admit-per-seat") ?? environment(roomOption + "AdmitPerSeat"), DefaultAdmitPerSeat, "--admit-per-seat", problems);
        var maxActive = Text(args, "--max-active") is not null
            ? Whole(args, "--max-active", DefaultMaxActive, minimum: 1, problems)
            : int.TryParse(environment(roomOption + "MaxActive"), NumberStyles.None, CultureInfo.InvariantCulture, out var configured) && configured > 0
                ? configured
                : DefaultMaxActive;
        var maxWait = Span(args, "--max-wait", TimeSpan.FromMinutes(3), problems);
        var settle = Span(args, "--settle", TimeSpan.FromSeconds(90), problems);
        var holdDuration = TimeSpan.TryParse(environment("Reservation__Holds__Duration"), CultureInfo.InvariantCulture, out var configuredHold) && configuredHold > TimeSpan.Zero
            ? configuredHold
            : TimeSpan.FromMinutes(5);
        if (problems.Count > 0)
        {
            error = "journey --sellout: " + string.Join("; ", problems);
            return null;
        }

        return new SelloutSettings(
            baseUrl, backend, room, waiting, visitors, perVisitor, holdBack, concurrency, admitPerSeat, maxActive, maxWait, settle, holdDuration, adminKey);
    }

    private static string? Text(IReadOnlyList<string> args, string name)
    {
        for (var i = 0; i < args.Count - 1; i++)
        {
            if (args[i] == name)
            {
                return args[i + 1];
            }
        }

        return null;
    }

    private static int Whole(IReadOnlyList<string> args, string name, int fallback, int minimum, List<string> problems)
    {
        if (Text(args, name) is not { } text)
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= minimum)
        {
            return value;
        }

        problems.Add($"{name} wants a whole number of at least {minimum}, not '{text}'");
        return fallback;
    }

    private static double Fraction(string? text, double fallback, string name, List<string> problems)
    {
        if (text is null)
        {
            return fallback;
        }

        if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            return value;
        }

        problems.Add($"{name} wants a non-negative number, not '{text}'");
        return fallback;
    }

    private static TimeSpan Span(IReadOnlyList<string> args, string name, TimeSpan fallback, List<string> problems)
    {
        if (Text(args, name) is not { } text)
        {
            return fallback;
        }

        if (DurationText.TryParse(text, out var value) && value > TimeSpan.Zero)
        {
            return value;
        }

        problems.Add($"{name} wants a duration (90, 90s, 2m), not '{text}'");
        return fallback;
    }
}
