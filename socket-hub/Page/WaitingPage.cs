using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using YarpWaitingRoom.Queue;

namespace YarpWaitingRoom.SocketHub.Page;

/// <summary>
/// The waiting page. Rendered here so it is useful without JavaScript (it refreshes itself every
/// <see cref="RefreshSeconds"/> seconds); <c>wait.js</c> then keeps it live over the WebSocket.
/// Every value that reaches the markup is HTML-encoded; the model handed to the script is JSON with
/// HTML-sensitive characters escaped, so no input can close the <c>&lt;script&gt;</c> element.
/// </summary>
public static class WaitingPage
{
    public const string Korean = "ko";
    public const string English = "en";

    /// <summary>Where <c>wait.css</c> and <c>wait.js</c> are served from.</summary>
    public const string AssetsPath = Protocol.WaitingRoomPaths.WaitAssets;

    /// <summary>How often the page refreshes itself when JavaScript is off.</summary>
    public const int RefreshSeconds = 10;

    private const string LanguageParameter = "lang";
    private const string QualityParameter = "q";
    private const int SecondsPerMinute = 60;
    private const int MinutesPerHour = 60;

    // Hangul and typographic punctuation stay readable in the source; '<', '>', '&', '"', '\'' are always encoded.
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(
        UnicodeRanges.BasicLatin, UnicodeRanges.GeneralPunctuation, UnicodeRanges.HangulSyllables);

    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.Default };

    /// <summary>
    /// The page's language: <c>lang=</c> in the query wins, then the <c>wr_lang</c> cookie, then the first of
    /// Korean and English by Accept-Language quality; English otherwise.
    /// </summary>
    public static string PickLanguage(string? queryLang, string? cookieLang, string? acceptLanguage) =>
        Supported(queryLang) ?? Supported(cookieLang) ?? FromAcceptLanguage(acceptLanguage) ?? English;

    public static string Render(WaitingPageModel model)
    {
        ArgumentNullException.ThrowIfNull(model);

        var language = Supported(model.Language) ?? English;
        var text = language == Korean ? Texts.Ko : Texts.En;
        // Without a ticket there is no place to show or follow (an invalid link): say so, as the socket's 1008 would.
        var invalid = string.IsNullOrEmpty(model.Ticket);
        var state = invalid ? "gone" : model.State switch
        {
            "waiting" or "active" or "gone" => model.State,
            _ => "unknown",
        };
        var returnUrl = LocalUrls.IsLocal(model.ReturnUrl) ? model.ReturnUrl : "/";
        var enterUrl = state == "active" && LocalUrls.IsLocal(model.EnterUrl) ? model.EnterUrl : null;
        var waiting = state is "waiting" or "unknown";
        var position = waiting && model.Position is > 0 ? model.Position : null; // 1-based; 0 means admitted

        var title = state switch
        {
            "active" => text.TitleActive,
            "gone" => text.TitleGone,
            _ when position is { } n => text.TitleWaitingAt.Replace("{n}", Number(n), StringComparison.Ordinal),
            _ => text.TitleWaiting,
        };

        // Without JavaScript the page refreshes itself (the hub counts each visit as a heartbeat);
        // a lost place cannot come back, so that page stays put.
        var refresh = state == "gone"
            ? string.Empty
            : $"""<noscript><meta http-equiv="refresh" content="{RefreshSeconds.ToString(CultureInfo.InvariantCulture)}"></noscript>""";

        var alert = state switch
        {
            "active" when enterUrl is not null => $"""
                <p class="wr-alert-title">{E(text.YourTurn)}</p>
                      <p><a class="wr-button" id="wr-enter" href="{E(enterUrl)}">{E(text.Continue)}</a></p>
                """,
            "active" => $"""
                <p class="wr-alert-title">{E(text.YourTurn)}</p>
                      <p>{E(text.ActiveElsewhere)}</p>
                """,
            "gone" => $"""
                <p class="wr-alert-title">{E(text.GoneTitle)}</p>
                      <p>{E(invalid ? text.InvalidBody : text.GoneBody)}</p>
                      <p><a class="wr-button" id="wr-rejoin" href="{E(returnUrl)}">{E(text.JoinAgain)}</a></p>
                """,
            _ => string.Empty,
        };

        return $$"""
            <!doctype html>
            <html lang="{{language}}">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <meta name="robots" content="noindex, nofollow">
              <meta name="referrer" content="no-referrer">
              <meta name="color-scheme" content="light dark">
              {{refresh}}
              <title>{{E(title)}} – {{E(model.Room)}}</title>
              <link rel="stylesheet" href="{{AssetsPath}}/wait.css">
              <script type="application/json" id="wr-data">{{Json(model, language, state, returnUrl, enterUrl)}}</script>
              <script src="{{AssetsPath}}/wait.js" defer></script>
            </head>
            <body data-state="{{state}}">
              <div class="wr-page">
                <header class="wr-top">
                  <p class="wr-brand">{{E(text.Brand)}}</p>
                  <nav class="wr-lang" aria-label="{{E(text.LanguageLabel)}}">
                    {{LanguageLink(model.Ticket, returnUrl, Korean, "한국어", language)}}
                    {{LanguageLink(model.Ticket, returnUrl, English, "English", language)}}
                  </nav>
                </header>
                <main class="wr-card">
                  <h1 class="wr-room" id="wr-room">{{E(model.Room)}}</h1>
                  <section id="wr-waiting" class="wr-waiting"{{(waiting ? string.Empty : " hidden")}}>
                    <p class="wr-lead">{{E(text.Lead)}}</p>
                    <div id="wr-live" class="wr-live" aria-live="polite" aria-atomic="true">
                      <p id="wr-position" class="wr-position">{{PositionHtml(position, text)}}</p>
                      <p class="wr-eta"><span class="wr-label">{{E(text.EtaLabel)}}</span> <span id="wr-eta">{{E(Eta(model.EtaSeconds, text))}}</span></p>
                    </div>
                    <div class="wr-progress">
                      <div class="wr-progress-head">
                        <label for="wr-progress">{{E(text.ProgressLabel)}}</label>
                        <span id="wr-progress-value" class="wr-progress-value" aria-hidden="true"></span>
                      </div>
                      <progress id="wr-progress" max="100"></progress>
                    </div>
                    <p id="wr-queue-note" class="wr-note"{{(waiting && !model.QueueOn ? string.Empty : " hidden")}}>{{E(text.QueueWindingDown)}}</p>
                    <p id="wr-connection" class="wr-connection" data-connection="connecting" hidden>{{E(text.Connecting)}}</p>
                    <noscript><p class="wr-connection" data-connection="refresh">{{E(text.NoScriptRefresh)}}</p></noscript>
                    <p class="wr-keep-open">{{E(text.KeepOpen)}}</p>
                    <p class="wr-hint">{{E(text.RefreshKeepsPlace)}}</p>
                  </section>
                  <div id="wr-alert" class="wr-alert" data-kind="{{(waiting ? string.Empty : state)}}" aria-live="assertive" aria-atomic="true">{{alert}}</div>
                </main>
              </div>
            </body>
            </html>

            """;
    }

    private static string E(string value) => Html.Encode(value);

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string PositionHtml(long? position, Texts text)
    {
        if (position is not { } n)
        {
            return E(text.PositionUnknown);
        }

        var template = text.PositionAt;
        var at = template.IndexOf("{n}", StringComparison.Ordinal);
        return $"""{E(template[..at])}<strong id="wr-position-number">{Number(n)}</strong>{E(template[(at + 3)..])}""";
    }

    private static string Eta(double? seconds, Texts text)
    {
        if (seconds is not { } s || !double.IsFinite(s) || s < 0)
        {
            return text.EtaUnknown;
        }

        if (s < SecondsPerMinute)
        {
            return text.EtaUnderMinute;
        }

        var minutes = Math.Max(1, (long)Math.Round(s / SecondsPerMinute, MidpointRounding.AwayFromZero));
        if (minutes < MinutesPerHour)
        {
            return text.EtaMinutes.Replace("{m}", Number(minutes), StringComparison.Ordinal);
        }

        var hours = Number(minutes / MinutesPerHour);
        return minutes % MinutesPerHour == 0
            ? text.EtaHours.Replace("{h}", hours, StringComparison.Ordinal)
            : text.EtaHoursMinutes
                .Replace("{h}", hours, StringComparison.Ordinal)
                .Replace("{m}", Number(minutes % MinutesPerHour), StringComparison.Ordinal);
    }

    private static string LanguageLink(string ticket, string returnUrl, string language, string name, string current)
    {
        var href = $"?t={Uri.EscapeDataString(ticket)}&return={Uri.EscapeDataString(returnUrl)}&{LanguageParameter}={language}";
        var currentMark = language == current ? " aria-current=\"true\"" : string.Empty;
        return $"""<a href="{E(href)}" lang="{language}" hreflang="{language}" data-lang="{language}"{currentMark}>{E(name)}</a>""";
    }

    // Not HTML-encoded on purpose: a <script> element's text is not entity-decoded. JavaScriptEncoder.Default
    // escapes '<', '>', '&', quotes and non-ASCII, so "</script>" or "<!--" can never appear in the output.
    private static string Json(WaitingPageModel model, string language, string state, string returnUrl, string? enterUrl)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer, JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("room", model.Room);
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
            json.WriteString("lang", language);
            json.WriteString("state", state);
            json.WriteString("enterUrl", enterUrl);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary><c>"ko"</c> for ko, KO, ko-KR…, <c>"en"</c> for en, en-US…, otherwise <see langword="null"/>.</summary>
    private static string? Supported(ReadOnlySpan<char> tag)
    {
        tag = tag.Trim();
        var end = tag.IndexOfAny('-', '_');
        var primary = end < 0 ? tag : tag[..end];
        return primary.Equals(Korean, StringComparison.OrdinalIgnoreCase) ? Korean
            : primary.Equals(English, StringComparison.OrdinalIgnoreCase) ? English
            : null;
    }

    private static string? FromAcceptLanguage(string? header)
    {
        if (string.IsNullOrEmpty(header))
        {
            return null;
        }

        string? best = null;
        var bestQuality = 0d;
        var ranges = header.AsSpan();
        foreach (var range in ranges.Split(','))
        {
            var item = ranges[range];
            var parameters = item.IndexOf(';');
            var language = Supported(parameters < 0 ? item : item[..parameters]);
            if (language is null)
            {
                continue;
            }

            var quality = parameters < 0 ? 1d : Quality(item[(parameters + 1)..]);
            if (quality > bestQuality)
            {
                (best, bestQuality) = (language, quality);
            }
        }

        return best;
    }

    /// <summary>The <c>q</c> weight of one Accept-Language range (1 when absent, 0 when malformed, which drops the range).</summary>
    private static double Quality(ReadOnlySpan<char> parameters)
    {
        foreach (var range in parameters.Split(';'))
        {
            var parameter = parameters[range].Trim();
            var equals = parameter.IndexOf('=');
            if (equals < 0 || !parameter[..equals].Trim().Equals(QualityParameter, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            return double.TryParse(parameter[(equals + 1)..].Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var quality)
                ? Math.Clamp(quality, 0d, 1d)
                : 0d;
        }

        return 1d;
    }

    /// <summary>The page's words in both languages; <c>wait.js</c> holds the same for what it updates live.</summary>
    private sealed class Texts
    {
        public static readonly Texts En = new()
        {
            Brand = "Waiting room",
            LanguageLabel = "Language",
            TitleWaiting = "Waiting…",
            TitleWaitingAt = "({n}) Waiting…",
            TitleActive = "It's your turn",
            TitleGone = "Place in line lost",
            Lead = "Many people are trying to get in right now, so we let visitors in a few at a time, in the order they arrived.",
            PositionAt = "You are number {n} in line",
            PositionUnknown = "Finding your place in line…",
            EtaLabel = "Estimated wait:",
            EtaUnknown = "Calculating…",
            EtaUnderMinute = "Less than a minute",
            EtaMinutes = "About {m} min",
            EtaHours = "About {h} h",
            EtaHoursMinutes = "About {h} h {m} min",
            ProgressLabel = "Your progress",
            QueueWindingDown = "The line is winding down: everyone still waiting is let in, in order.",
            Connecting = "Connecting…",
            NoScriptRefresh = "This page refreshes itself every 10 seconds.",
            KeepOpen = "Keep this page open. If you close it or go offline, your place is released after about 30 seconds.",
            RefreshKeepsPlace = "Refreshing or opening the page in a new tab keeps your place.",
            YourTurn = "It's your turn!",
            Continue = "It's your turn — continue",
            ActiveElsewhere = "To go in, return to the browser where you joined the line: the entry link is shown only there.",
            GoneTitle = "Your place in line was released",
            GoneBody = "The waiting page was closed, offline or idle for too long, or your ticket expired. You can join the line again.",
            InvalidBody = "This waiting-room link is not valid or has expired.",
            JoinAgain = "Join again",
        };

        public static readonly Texts Ko = new()
        {
            Brand = "대기실",
            LanguageLabel = "언어",
            TitleWaiting = "대기 중…",
            TitleWaitingAt = "({n}) 대기 중…",
            TitleActive = "입장 차례입니다",
            TitleGone = "대기 순번 만료",
            Lead = "지금 접속자가 많아 도착하신 순서대로 조금씩 입장하고 있습니다.",
            PositionAt = "대기 순번 {n}번",
            PositionUnknown = "대기 순번을 확인하는 중…",
            EtaLabel = "예상 대기 시간:",
            EtaUnknown = "계산 중…",
            EtaUnderMinute = "1분 이내",
            EtaMinutes = "약 {m}분",
            EtaHours = "약 {h}시간",
            EtaHoursMinutes = "약 {h}시간 {m}분",
            ProgressLabel = "진행 상황",
            QueueWindingDown = "대기열이 곧 해제됩니다. 남은 분들은 순서대로 입장합니다.",
            Connecting = "연결 중…",
            NoScriptRefresh = "이 페이지는 10초마다 자동으로 새로 고쳐집니다.",
            KeepOpen = "이 페이지를 닫지 마세요. 페이지를 닫거나 연결이 끊기면 약 30초 후 대기 순번이 사라집니다.",
            RefreshKeepsPlace = "새로 고침하거나 새 탭에서 열어도 대기 순번은 유지됩니다.",
            YourTurn = "입장 차례입니다!",
            Continue = "입장하기",
            ActiveElsewhere = "입장하려면 처음 줄을 선 브라우저로 돌아가 주세요. 입장 링크는 그 브라우저에서만 표시됩니다.",
            GoneTitle = "대기 순번이 만료되었습니다",
            GoneBody = "대기 페이지를 닫았거나 연결이 오래 끊겼거나 대기권이 만료되었습니다. 다시 줄을 서실 수 있습니다.",
            InvalidBody = "대기실 링크가 올바르지 않거나 만료되었습니다.",
            JoinAgain = "다시 줄 서기",
        };

        public required string Brand { get; init; }
        public required string LanguageLabel { get; init; }
        public required string TitleWaiting { get; init; }
        public required string TitleWaitingAt { get; init; }
        public required string TitleActive { get; init; }
        public required string TitleGone { get; init; }
        public required string Lead { get; init; }
        public required string PositionAt { get; init; }
        public required string PositionUnknown { get; init; }
        public required string EtaLabel { get; init; }
        public required string EtaUnknown { get; init; }
        public required string EtaUnderMinute { get; init; }
        public required string EtaMinutes { get; init; }
        public required string EtaHours { get; init; }
        public required string EtaHoursMinutes { get; init; }
        public required string ProgressLabel { get; init; }
        public required string QueueWindingDown { get; init; }
        public required string Connecting { get; init; }
        public required string NoScriptRefresh { get; init; }
        public required string KeepOpen { get; init; }
        public required string RefreshKeepsPlace { get; init; }
        public required string YourTurn { get; init; }
        public required string Continue { get; init; }
        public required string ActiveElsewhere { get; init; }
        public required string GoneTitle { get; init; }
        public required string GoneBody { get; init; }
        public required string InvalidBody { get; init; }
        public required string JoinAgain { get; init; }
    }
}
