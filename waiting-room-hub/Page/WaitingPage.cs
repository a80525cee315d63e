using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using YarpWaitingRoom.Hosting;
using YarpWaitingRoom.Queue;

namespace YarpWaitingRoom.Hub.Page;

/// <summary>
/// The waiting page. Rendered here so it is useful without JavaScript (it refreshes itself every
/// <see cref="RefreshSeconds"/> seconds); <c>wait.js</c> then keeps it live over the WebSocket.
/// Every value that reaches the markup is HTML-encoded; the model handed to the script is JSON with
/// HTML-sensitive characters escaped, so no input can close the <c>&lt;script&gt;</c> element. That model also carries
/// the page's texts (<see cref="PageTexts"/>, the language's whole table) and timings (<see cref="WaitingPageTimings"/>),
/// so <c>wait.js</c> has no words or intervals of its own.
/// </summary>
internal static class WaitingPage
{
    public const string Korean = PageLanguages.Korean;
    public const string English = PageLanguages.English;

    /// <summary>Where <c>wait.css</c> and <c>wait.js</c> are served from.</summary>
    public const string AssetsPath = Protocol.WaitingRoomPaths.WaitAssets;

    /// <summary>How often the page refreshes itself when JavaScript is off.</summary>
    public const int RefreshSeconds = 10;

    private const string LanguageParameter = PageLanguages.QueryParameter;
    private const int SecondsPerMinute = 60;
    private const int MinutesPerHour = 60;
    private const int SecondsPerHour = 3600;
    private const int SecondsPerDay = 86_400;
    private const int ReceiptGroup = 4;
    private const int JsonBufferBytes = 8192; // the model and one language's texts, Hangul escaped

    private static readonly JsonWriterOptions JsonOptions = PageEncoding.DataBlock;

    /// <summary>The page for <paramref name="model"/>, its words from <see cref="PageTexts"/> and its timings from <paramref name="timings"/>.</summary>
    public static string Render(WaitingPageModel model, WaitingPageTimings timings)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(timings);

        var language = PageLanguages.Supported(model.Language) ?? English;
        var text = PageTexts.For(language);
        // Without a ticket there is no place to show or follow (an invalid link): say so, as the socket's 1008 would.
        var closed = model.State == "closed";
        var invalid = !closed && string.IsNullOrEmpty(model.Ticket);
        var state = closed ? "closed" : invalid ? "gone" : model.State switch
        {
            "waiting" or "active" or "gone" => model.State,
            "prequeue" when model.StartsAt is not null => model.State,
            _ => "unknown",
        };
        var returnUrl = LocalUrls.IsLocal(model.ReturnUrl) ? model.ReturnUrl : "/";
        var enterUrl = state == "active" && LocalUrls.IsLocal(model.EnterUrl) ? model.EnterUrl : null;
        var prequeue = state == "prequeue";
        var waiting = state is "waiting" or "unknown";
        var position = waiting && model.Position is > 0 ? model.Position : null; // 1-based; 0 means admitted
        var receipt = (prequeue || waiting) && Scheduling.Receipts.IsValid(model.Receipt) ? model.Receipt : null;
        var soldOut = (prequeue || waiting) && model.SoldOut;
        var name = string.IsNullOrWhiteSpace(model.Title) ? model.Room : model.Title;

        var title = state switch
        {
            "active" => text["titleActive"],
            "gone" => text["titleGone"],
            "closed" => text["titleSoldOut"],
            "prequeue" => text["titlePrequeue"],
            _ when position is { } n => PageTexts.Fill(text["titleWaitingAt"], ("n", Number(n))),
            _ => text["titleWaiting"],
        };

        // Without JavaScript the page refreshes itself (the hub counts each visit as a heartbeat);
        // a lost place cannot come back, so that page stays put.
        var refresh = state is "gone" or "closed"
            ? string.Empty
            : $"""<noscript><meta http-equiv="refresh" content="{RefreshSeconds.ToString(CultureInfo.InvariantCulture)}"></noscript>""";

        var alert = state switch
        {
            "active" when enterUrl is not null => $"""
                <p class="wr-alert-title">{E(text["yourTurn"])}</p>
                      <p><a class="wr-button" id="wr-enter" href="{E(enterUrl)}">{E(text["continue"])}</a></p>
                """,
            "active" => $"""
                <p class="wr-alert-title">{E(text["yourTurn"])}</p>
                      <p>{E(text["activeElsewhere"])}</p>
                """,
            "gone" => $"""
                <p class="wr-alert-title">{E(text["goneTitle"])}</p>
                      <p>{E(invalid ? text["goneInvalid"] : GoneText(model.GoneReason, text))}</p>
                      <p><a class="wr-button" id="wr-rejoin" href="{E(returnUrl)}">{E(text["joinAgain"])}</a></p>
                """,
            "closed" => $"""
                <p class="wr-alert-title">{E(text["closedTitle"])}</p>
                      <p>{E(text["closedBody"])}</p>
                      <p><a class="wr-button" id="wr-check-again" href="{E(returnUrl)}">{E(text["checkAgain"])}</a></p>
                """,
            _ => string.Empty,
        };

        var startsAt = model.StartsAt ?? DateTimeOffset.UnixEpoch;
        var remaining = startsAt - (model.Now ?? startsAt);
        var eventUrl = Protocol.WaitingRoomPaths.RoomEvent(model.Room);
        var leaveUrl = closed || invalid ? string.Empty : Protocol.WaitingRoomPaths.Leave(model.Room, model.Ticket);

        var head = $$"""
              {{refresh}}
              <script type="application/json" id="wr-data">{{Json(model, timings, text, state, returnUrl, enterUrl, name, receipt, remaining, soldOut)}}</script>
              <script src="{{AssetsPath}}/wait.js" defer></script>
            """;
        var card = $$"""
                  <section id="wr-waiting" class="wr-waiting"{{Hidden(waiting || prequeue)}}>
                    <div id="wr-prequeue" class="wr-prequeue"{{Hidden(prequeue)}}>
                      <p class="wr-lead">{{E(text["prequeueLead"])}}</p>
                      <div class="wr-countdown">
                        <p class="wr-label" id="wr-countdown-label">{{E(text["countdownLabel"])}}</p>
                        <p class="wr-countdown-value" id="wr-countdown" role="timer" aria-labelledby="wr-countdown-label">{{E(Countdown(remaining, text))}}</p>
                        <p class="wr-starts" id="wr-starts">{{StartsAtHtml(startsAt, text)}}</p>
                      </div>
                      <p id="wr-countdown-note" class="wr-visually-hidden" aria-live="polite" aria-atomic="true"></p>
                      <p id="wr-fair" class="wr-fair">{{E(model.Lottery ? text["fairLottery"] : text["fairFifo"])}}</p>
                    </div>
                    <div id="wr-queued"{{Hidden(!prequeue)}}>
                      <p class="wr-lead" id="wr-lead">{{E(receipt is not null && model.Lottery ? text["leadDrawn"] : text["lead"])}}</p>
                      <div id="wr-live" class="wr-live" aria-live="polite" aria-atomic="true">
                        <p id="wr-position" class="wr-position">{{PositionHtml(position, text)}}</p>
                        <p class="wr-eta"><span class="wr-label">{{E(text["etaLabel"])}}</span> <span id="wr-eta">{{E(Eta(model.EtaSeconds, text))}}</span></p>
                      </div>
                    </div>
                    <div id="wr-receipt" class="wr-receipt"{{Hidden(receipt is not null)}}>
                      <p class="wr-receipt-label" id="wr-receipt-label">{{E(text["receiptLabel"])}}</p>
                      <p class="wr-receipt-code" id="wr-receipt-code" aria-describedby="wr-receipt-help">{{ReceiptHtml(receipt)}}</p>
                      <p class="wr-receipt-help" id="wr-receipt-help">{{E(text["receiptHelp"])}}</p>
                      <p class="wr-receipt-link"><a id="wr-event" href="{{E(eventUrl)}}">{{E(text["eventLink"])}}</a></p>
                    </div>
                    <div class="wr-progress" id="wr-progress-box"{{Hidden(!prequeue)}}>
                      <div class="wr-progress-head">
                        <label for="wr-progress">{{E(text["progressLabel"])}}</label>
                        <span id="wr-progress-value" class="wr-progress-value" aria-hidden="true"></span>
                      </div>
                      <progress id="wr-progress" max="100"></progress>
                    </div>
                    <div id="wr-soldout" class="wr-soldout" role="group" aria-labelledby="wr-soldout-title"{{Hidden(soldOut)}}>
                      <h2 id="wr-soldout-title" class="wr-soldout-title">{{E(text["soldOutTitle"])}}</h2>
                      <p>{{E(text["soldOutBody"])}}</p>
                      <form id="wr-leave" class="wr-soldout-actions" method="post" action="{{E(leaveUrl)}}">
                        <button type="button" id="wr-keep" class="wr-button" hidden>{{E(text["soldOutKeep"])}}</button>
                        <button type="submit" id="wr-leave-button" class="wr-button wr-button-secondary">{{E(text["soldOutLeave"])}}</button>
                      </form>
                      <p id="wr-soldout-status" class="wr-soldout-status" aria-live="polite" aria-atomic="true"></p>
                    </div>
                    <p id="wr-stock-note" class="wr-visually-hidden" aria-live="polite" aria-atomic="true"></p>
                    <p id="wr-queue-note" class="wr-note"{{Hidden(waiting && !model.QueueOn)}}>{{E(text["queueWindingDown"])}}</p>
                    <p id="wr-connection" class="wr-connection" data-connection="connecting" hidden>{{E(text["connecting"])}}</p>
                    <noscript><p class="wr-connection" data-connection="refresh">{{E(PageTexts.Fill(text["noScriptRefresh"], ("seconds", Number(RefreshSeconds))))}}</p></noscript>
                    <p class="wr-keep-open" id="wr-keep-open"{{Hidden(!prequeue)}}>{{E(PageTexts.Fill(text["keepOpen"], ("seconds", Seconds(timings.AbandonAfter))))}}</p>
                    <p class="wr-keep-open" id="wr-keep-open-prequeue"{{Hidden(prequeue)}}>{{E(PageTexts.Fill(text["keepOpenPrequeue"], ("seconds", Seconds(timings.AbandonAfter))))}}</p>
                    <p class="wr-hint">{{E(text["refreshKeepsPlace"])}}</p>
                  </section>
                  <div id="wr-alert" class="wr-alert" data-kind="{{(waiting || prequeue ? string.Empty : state)}}" aria-live="assertive" aria-atomic="true">{{alert}}</div>
            """;
        var query = $"t={Uri.EscapeDataString(model.Ticket)}&return={Uri.EscapeDataString(returnUrl)}";
        return Document(language, text, title, name, state, head, query, card);
    }

    /// <summary>
    /// The document every hub page is: the head (charset, viewport, no indexing, no referrer, both colour schemes, the
    /// title, the style sheet, then <paramref name="head"/>, the page's own scripts), the brand, a link to the page in
    /// each language (its own query <paramref name="query"/> plus <c>lang=</c>), and the card: the room's name, then
    /// <paramref name="card"/>.
    /// </summary>
    internal static string Document(string language, TextTable text, string title, string name, string state, string head, string query, string card) => $$"""
            <!doctype html>
            <html lang="{{language}}">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <meta name="robots" content="noindex, nofollow">
              <meta name="referrer" content="no-referrer">
              <meta name="color-scheme" content="light dark">
              <title>{{E(title)}} – {{E(name)}}</title>
              <link rel="stylesheet" href="{{AssetsPath}}/wait.css">
            {{head}}
            </head>
            <body data-state="{{state}}">
              <div class="wr-page">
                <header class="wr-top">
                  <p class="wr-brand">{{E(text["brand"])}}</p>
                  <nav class="wr-lang" aria-label="{{E(text["languageLabel"])}}">
                    {{LanguageLink(query, PageTexts.Korean, language)}}
                    {{LanguageLink(query, PageTexts.English, language)}}
                  </nav>
                </header>
                <main class="wr-card">
                  <h1 class="wr-room" id="wr-room">{{E(name)}}</h1>
            {{card}}
                </main>
              </div>
            </body>
            </html>

            """;

    private static string Hidden(bool shown) => shown ? string.Empty : " hidden";

    /// <summary>Why the place is gone, in the words <c>wait.js</c> uses for the same reason.</summary>
    private static string GoneText(string? reason, TextTable text) => reason switch
    {
        "expired" => text["goneExpired"],
        "ended" => text["goneEnded"],
        "abandoned" => text["goneAbandoned"],
        "left" => text["goneLeft"],
        _ => text["goneBody"],
    };

    /// <summary>
    /// The time left until the start, in whole seconds rounded up (no "0 s" while time remains): seconds under a minute,
    /// minutes and seconds under an hour, hours and minutes under a day, then days and hours. <c>wait.js</c>'s
    /// <c>formatCountdown</c> is the same rule.
    /// </summary>
    internal static string Countdown(TimeSpan remaining, TextTable text)
    {
        var seconds = (long)Math.Ceiling(remaining.TotalSeconds);
        return seconds switch
        {
            <= 0 => text["countdownStarting"],
            < SecondsPerMinute => PageTexts.Fill(text["countdownSeconds"], ("s", Number(seconds))),
            < SecondsPerHour => PageTexts.Fill(text["countdownMinutes"], ("m", Number(seconds / SecondsPerMinute)), ("s", Number(seconds % SecondsPerMinute))),
            < SecondsPerDay => PageTexts.Fill(text["countdownHours"], ("h", Number(seconds / SecondsPerHour)), ("m", Number(seconds % SecondsPerHour / SecondsPerMinute))),
            _ => PageTexts.Fill(text["countdownDays"], ("d", Number(seconds / SecondsPerDay)), ("h", Number(seconds % SecondsPerDay / SecondsPerHour))),
        };
    }

    /// <summary>"Starts at" with the start in UTC in a <c>&lt;time&gt;</c> element; <c>wait.js</c> shows it in the visitor's own time zone.</summary>
    private static string StartsAtHtml(DateTimeOffset startsAt, TextTable text)
    {
        var utc = startsAt.ToUniversalTime();
        var time = PageTexts.Fill(
            text["startsAtTime"],
            ("year", utc.Year.ToString(CultureInfo.InvariantCulture)),
            ("month", utc.Month.ToString("00", CultureInfo.InvariantCulture)),
            ("day", utc.Day.ToString("00", CultureInfo.InvariantCulture)),
            ("hour", utc.Hour.ToString("00", CultureInfo.InvariantCulture)),
            ("minute", utc.Minute.ToString("00", CultureInfo.InvariantCulture)));
        var template = text["startsAt"];
        var at = template.IndexOf("{time}", StringComparison.Ordinal);
        var iso = utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        return $"""{E(template[..at])}<time id="wr-starts-time" datetime="{iso}">{E(time)}</time>{E(template[(at + 6)..])}""";
    }

    /// <summary>The receipt in groups of four characters (spans spaced by the style sheet: a copy gives it whole, without spaces).</summary>
    private static string ReceiptHtml(string? receipt)
    {
        if (receipt is null)
        {
            return string.Empty;
        }

        var html = new StringBuilder(receipt.Length * 4);
        for (var i = 0; i < receipt.Length; i += ReceiptGroup)
        {
            html.Append("<span>").Append(E(receipt.Substring(i, Math.Min(ReceiptGroup, receipt.Length - i)))).Append("</span>");
        }

        return html.ToString();
    }

    /// <summary>HTML-encodes text for the hub's pages (Hangul and typographic punctuation stay readable).</summary>
    internal static string E(string value) => PageEncoding.Html(value);

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Whole seconds, rounded down (a visitor told "45" when it is 45.5 leaves in time), at least 1.</summary>
    private static string Seconds(TimeSpan duration) => Number(Math.Max(1, (long)duration.TotalSeconds));

    private static string PositionHtml(long? position, TextTable text)
    {
        if (position is not { } n)
        {
            return E(text["positionUnknown"]);
        }

        var template = text["positionAt"];
        var at = template.IndexOf("{n}", StringComparison.Ordinal);
        return $"""{E(template[..at])}<strong id="wr-position-number">{Number(n)}</strong>{E(template[(at + 3)..])}""";
    }

    private static string Eta(double? seconds, TextTable text)
    {
        if (seconds is not { } s || !double.IsFinite(s) || s < 0)
        {
            return text["etaUnknown"];
        }

        if (s < SecondsPerMinute)
        {
            return text["etaUnderMinute"];
        }

        var minutes = Math.Max(1, (long)Math.Round(s / SecondsPerMinute, MidpointRounding.AwayFromZero));
        if (minutes < MinutesPerHour)
        {
            return PageTexts.Fill(text["etaMinutes"], ("m", Number(minutes)));
        }

        var hours = Number(minutes / MinutesPerHour);
        return minutes % MinutesPerHour == 0
            ? PageTexts.Fill(text["etaHours"], ("h", hours))
            : PageTexts.Fill(text["etaHoursMinutes"], ("h", hours), ("m", Number(minutes % MinutesPerHour)));
    }

    /// <summary>A link to this page in <paramref name="texts"/>' language, named in that language.</summary>
    private static string LanguageLink(string query, TextTable texts, string current)
    {
        var language = texts.Language;
        var name = texts["languageName"];
        var href = $"?{query}&{LanguageParameter}={language}";
        var currentMark = language == current ? " aria-current=\"true\"" : string.Empty;
        return $"""<a href="{E(href)}" lang="{language}" hreflang="{language}" data-lang="{language}"{currentMark}>{E(name)}</a>""";
    }

    // Not HTML-encoded on purpose: a <script> element's text is not entity-decoded. JavaScriptEncoder.Default
    // escapes '<', '>', '&', quotes and non-ASCII, so "</script>" or "<!--" can never appear in the output.
    // The texts go as they are in the table, placeholders unfilled: wait.js fills them as the server does.
    // The countdown: startsAt as the server's clock has it, and how long until then by that clock (wait.js counts down
    // from its own clock plus this difference, so a visitor's clock set wrong does not move the start).
    private static string Json(
        WaitingPageModel model, WaitingPageTimings timings, TextTable text, string state, string returnUrl, string? enterUrl, string name, string? receipt, TimeSpan remaining, bool soldOut)
    {
        var buffer = new ArrayBufferWriter<byte>(JsonBufferBytes);
        using (var json = new Utf8JsonWriter(buffer, JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("room", model.Room);
            json.WriteString("name", name);
            json.WriteString("receipt", receipt);
            if (state == "prequeue" && model.StartsAt is { } startsAt)
            {
                json.WriteNumber("startsAtMs", startsAt.ToUnixTimeMilliseconds());
                json.WriteNumber("untilStartMs", (long)remaining.TotalMilliseconds);
            }
            else
            {
                json.WriteNull("startsAtMs");
                json.WriteNull("untilStartMs");
            }

            json.WriteBoolean("lottery", model.Lottery);
            json.WriteString("eventUrl", Protocol.WaitingRoomPaths.RoomEvent(model.Room));
            json.WriteString("ticket", model.Ticket);
            json.WriteString("returnUrl", returnUrl);
            if (model.Position is { } position)
            {
                json.WriteNumber("position", position);
            }
            else
            {
                json.WriteNull("position");
            }

            if (model.EtaSeconds is { } eta && double.IsFinite(eta))
            {
                json.WriteNumber("etaSeconds", eta);
            }
            else
            {
                json.WriteNull("etaSeconds");
            }

            json.WriteBoolean("queueOn", model.QueueOn);
            json.WriteBoolean("soldOut", soldOut);
            json.WriteString("lang", text.Language);
            json.WriteString("state", state);
            json.WriteString("enterUrl", enterUrl);
            json.WriteNumber("heartbeatMs", (long)timings.HeartbeatInterval.TotalMilliseconds);
            json.WriteNumber("silenceLimitMs", (long)timings.SilenceLimit.TotalMilliseconds);
            text.WriteTo(json, "text");
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
