using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using YarpWaitingRoom.Challenges;
using YarpWaitingRoom.Hosting;
using YarpWaitingRoom.Protocol;

namespace YarpWaitingRoom.Yarp.Console;

/// <summary>
/// The operator console's two pages, rendered here: the sign-in page (a plain form that works without JavaScript) and
/// the console (its frame: headings, labels, controls and their confirmation dialog; <c>console.js</c> fills in the live
/// numbers from the room's event stream). Every value that reaches the markup is HTML-encoded and the data handed to the
/// script is JSON with HTML-sensitive characters escaped (<see cref="PageEncoding"/>), so no operator or room name can
/// close the <c>&lt;script&gt;</c> element. The pages hold no inline script other than that data and no inline style,
/// so they run under <c>script-src 'self'; style-src 'self'</c>.
/// </summary>
internal static class ConsolePage
{
    /// <summary>Where the console is: <c>/_wr/admin</c>; its page is <c>/_wr/admin/</c> and its API below it.</summary>
    public const string BasePath = WaitingRoomPaths.AdminPrefix;

    /// <summary>Where <c>console.css</c> and <c>console.js</c> are served from (<see cref="ConsoleAssets"/>).</summary>
    public const string AssetsPath = BasePath + "/assets";

    /// <summary>Where the sign-in form posts.</summary>
    public const string SignInPath = BasePath + "/sign-in";

    /// <summary>Where the sign-out form posts.</summary>
    public const string SignOutPath = BasePath + "/sign-out";

    /// <summary>The id of the console page's JSON data block.</summary>
    public const string DataElementId = "wr-console-data";

    /// <summary>The highest <c>MaxActive</c> an operator may set (the number input's <c>max</c>): the admin API's bound.</summary>
    public const int MaxActiveLimit = Options.RoomOptions.MaxActiveLimit;

    /// <summary>The highest per-network cap an operator may set (the number input's <c>max</c>): the admin API's bound.</summary>
    public const int MaxPlacesPerNetworkLimit = Options.RoomOptions.MaxPlacesPerNetworkLimit;

    private const string PagePath = BasePath + "/";
    private const string RoomParameter = "room";
    private const int JsonBufferBytes = 16_384; // the model and one language's texts, Hangul escaped

    /// <summary>The sign-in page: a form that posts the key (and the language and room it came with) to <see cref="SignInPath"/>.</summary>
    public static string SignIn(SignInPageModel m)
    {
        ArgumentNullException.ThrowIfNull(m);
        var text = ConsoleTexts.For(m.Language);
        var language = text.Language;
        var room = string.IsNullOrEmpty(m.Room) ? null : m.Room;
        var (message, isError) = m.Error switch
        {
            SignInErrors.WrongKey => (text["errorWrongKey"], true),
            SignInErrors.TooMany => (text["errorTooMany"], true),
            SignInErrors.SignedOut => (text["errorSignedOut"], false),
            SignInErrors.Expired => (text["errorExpired"], false),
            _ => (null, false),
        };

        // An error is an alert tied to the field; a note (signed out, expired) is a status.
        var notice = message is null
            ? string.Empty
            : isError
                ? $"""<p id="wr-sign-in-message" class="wr-message wr-message-error" role="alert">{E(message)}</p>"""
                : $"""<p id="wr-sign-in-message" class="wr-message" role="status">{E(message)}</p>""";
        var describedBy = message is null ? string.Empty : " aria-describedby=\"wr-sign-in-message\"";
        var invalid = isError ? " aria-invalid=\"true\"" : string.Empty;
        var roomField = room is null ? string.Empty : $"""
                      <input type="hidden" name="{RoomParameter}" value="{E(room)}">
            """;

        var main = $$"""
                <main id="wr-main" class="wr-sign-in">
                  <section class="wr-card" aria-labelledby="wr-sign-in-title">
                    <h1 id="wr-sign-in-title">{{E(text["signInTitle"])}}</h1>
                    <p class="wr-lead">{{E(text["signInLead"])}}</p>
                    {{notice}}
                    <form class="wr-form" method="post" action="{{SignInPath}}">
                      <input type="hidden" name="{{PageLanguages.QueryParameter}}" value="{{language}}">
            {{roomField}}
                      <label for="wr-key">{{E(text["keyLabel"])}}</label>
                      <input id="wr-key" name="key" type="password" autocomplete="current-password" required autofocus spellcheck="false" autocapitalize="none"{{describedBy}}{{invalid}}>
                      <button type="submit" class="wr-button wr-button-primary">{{E(text["signInButton"])}}</button>
                    </form>
                  </section>
                </main>
            """;
        return Document(language, text, text["signInTitle"], "sign-in", head: string.Empty, RoomQuery(room), session: string.Empty, main);
    }

    /// <summary>The console for <paramref name="m"/>'s room: its frame, its controls, and its data for <c>console.js</c>.</summary>
    public static string Console(ConsolePageModel m)
    {
        ArgumentNullException.ThrowIfNull(m);
        var text = ConsoleTexts.For(m.Language);
        var language = text.Language;
        var title = TextTable.Fill(text["consoleTitle"], ("room", m.Room));
        var signInAgain = PagePath + "?" + RoomQuery(m.Room) + "&" + PageLanguages.QueryParameter + "=" + language;
        var expires = Iso(m.ExpiresAt);

        var head = $"""
              <script type="application/json" id="{DataElementId}">{Json(m, text)}</script>
              <script src="{AssetsPath}/console.js" defer></script>
            """;
        var session = $$"""
                  <div class="wr-session">
                    <p class="wr-operator" id="wr-operator">{{E(TextTable.Fill(text["operatorLabel"], ("operator", m.Operator)))}}</p>
                    <p class="wr-expires">{{E(Before(text["sessionExpires"], "{time}"))}}<time id="wr-expires" datetime="{{expires}}">{{E(m.ExpiresAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture))}}</time>{{E(After(text["sessionExpires"], "{time}"))}}</p>
                    <form method="post" action="{{SignOutPath}}" class="wr-sign-out">
                      <input type="hidden" name="csrf" value="{{E(m.CsrfToken)}}">
                      <button type="submit" class="wr-button">{{E(text["signOut"])}}</button>
                    </form>
                  </div>
            """;

        var rooms = new StringBuilder();
        foreach (var room in m.Rooms)
        {
            var current = room == m.Room ? " aria-current=\"page\"" : string.Empty;
            rooms.Append(CultureInfo.InvariantCulture, $"""<li><a href="{E("?" + RoomQuery(room) + "&" + PageLanguages.QueryParameter + "=" + language)}"{current}>{E(room)}</a></li>""");
        }

        var main = $$"""
                <main id="wr-main" class="wr-console">
                  <div id="wr-stalled" class="wr-stalled" role="alert" hidden></div>
                  <div id="wr-ended" class="wr-ended" role="alert" hidden>
                    <p id="wr-ended-text" class="wr-ended-text"></p>
                    <p><a class="wr-button wr-button-primary" id="wr-sign-in-again" href="{{E(signInAgain)}}">{{E(text["signInAgain"])}}</a></p>
                  </div>
                  <div class="wr-heading">
                    <h1 id="wr-title">{{E(title)}}</h1>
                    <nav class="wr-rooms" aria-label="{{E(text["roomsLabel"])}}"><ul>{{rooms}}</ul></nav>
                    <p id="wr-connection" class="wr-connection" data-state="connecting" role="status">{{E(text["connecting"])}}</p>
                  </div>
                  <noscript><p class="wr-message wr-message-error">{{E(text["noScript"])}}</p></noscript>
                  <div class="wr-grid">
                    <section class="wr-card" aria-labelledby="wr-status-heading">
                      <h2 id="wr-status-heading">{{E(text["statusHeading"])}}</h2>
                      <p id="wr-queue-state" class="wr-queue-state" data-on="">–</p>
                      <dl class="wr-facts">
                        <div><dt>{{E(text["modeLabel"])}}</dt><dd id="wr-mode">–</dd></div>
                        <div><dt>{{E(text["reasonLabel"])}}</dt><dd id="wr-reason">–</dd></div>
                        <div><dt>{{E(text["sinceLabel"])}}</dt><dd><time id="wr-since">–</time></dd></div>
                      </dl>
                    </section>
                    <section class="wr-card wr-card-wide" aria-labelledby="wr-traffic-heading">
                      <h2 id="wr-traffic-heading">{{E(text["trafficHeading"])}}</h2>
                      <dl class="wr-figures">
                        <div><dt>{{E(text["rateNow"])}}</dt><dd id="wr-rate">–</dd></div>
                        <div><dt>{{E(text["rateAverage"])}}</dt><dd id="wr-rate-average">–</dd></div>
                      </dl>
                      <figure class="wr-chart">
                        <svg id="wr-chart" class="wr-chart-svg" viewBox="0 0 960 320" role="img" aria-labelledby="wr-chart-title wr-chart-summary" focusable="false">
                          <title id="wr-chart-title">{{E(text["chartTitle"])}}</title>
                        </svg>
                        <figcaption>
                          <ul class="wr-legend">
                            <li class="wr-legend-rate">{{E(text["legendRate"])}}</li>
                            <li class="wr-legend-average">{{E(text["legendAverage"])}}</li>
                          </ul>
                          <p id="wr-chart-summary" class="wr-chart-summary">{{E(text["chartEmpty"])}}</p>
                        </figcaption>
                      </figure>
                      <details class="wr-chart-table">
                        <summary>{{E(text["chartTableToggle"])}}</summary>
                        <div class="wr-table-wrap">
                          <table>
                            <caption>{{E(text["chartTableCaption"])}}</caption>
                            <thead><tr><th scope="col">{{E(text["chartMinuteColumn"])}}</th><th scope="col">{{E(text["chartAverageColumn"])}}</th><th scope="col">{{E(text["chartPeakColumn"])}}</th></tr></thead>
                            <tbody id="wr-chart-rows"></tbody>
                          </table>
                        </div>
                      </details>
                    </section>
                    <section class="wr-card" aria-labelledby="wr-places-heading">
                      <h2 id="wr-places-heading">{{E(text["placesHeading"])}}</h2>
                      <dl class="wr-figures">
                        <div><dt>{{E(text["waitingLabel"])}}</dt><dd id="wr-waiting">–</dd></div>
                        <div><dt>{{E(text["activeLabel"])}}</dt><dd id="wr-active">–</dd></div>
                      </dl>
                      <p class="wr-meter-row"><label for="wr-active-meter">{{E(text["activeLabel"])}}</label> <span id="wr-active-of-cap" class="wr-muted"></span></p>
                      <meter id="wr-active-meter" min="0" max="1" value="0" low="0.8" high="0.95" optimum="0.5"></meter>
                      <p id="wr-waiting-ratio" class="wr-muted"></p>
                      <dl class="wr-facts">
                        <div><dt>{{E(text["capLabel"])}}</dt><dd id="wr-cap">–</dd></div>
                      </dl>
                      <p id="wr-cap-configured" class="wr-muted"></p>
                    </section>
                    <section class="wr-card" aria-labelledby="wr-flow-heading">
                      <h2 id="wr-flow-heading">{{E(text["flowHeading"])}}</h2>
                      <dl class="wr-facts">
                        <div><dt>{{E(text["admittedPerMinute"])}}</dt><dd id="wr-admitted">–</dd></div>
                        <div><dt>{{E(text["abandonedPerMinute"])}}</dt><dd id="wr-abandoned">–</dd></div>
                        <div><dt>{{E(text["admitRate"])}}</dt><dd id="wr-admit-rate">–</dd></div>
                        <div><dt>{{E(text["medianWait"])}}</dt><dd id="wr-median-wait">–</dd></div>
                        <div><dt>{{E(text["etaAtBack"])}}</dt><dd id="wr-eta-back">–</dd></div>
                        <div><dt>{{E(text["lastAdmission"])}}</dt><dd id="wr-last-admission">–</dd></div>
                      </dl>
                    </section>
                    <section class="wr-card" aria-labelledby="wr-sale-heading">
                      <h2 id="wr-sale-heading">{{E(text["saleHeading"])}}</h2>
                      <dl class="wr-facts">
                        <div><dt>{{E(text["inventoryLabel"])}}</dt><dd id="wr-inventory">–</dd></div>
                        <div><dt>{{E(text["challengeLabel"])}}</dt><dd id="wr-challenge">–</dd></div>
                        <div><dt>{{E(text["accessLabel"])}}</dt><dd id="wr-access">–</dd></div>
                        <div><dt>{{E(text["eventLabel"])}}</dt><dd id="wr-event">–</dd></div>
                      </dl>
                    </section>
                    <section class="wr-card" aria-labelledby="wr-bots-heading">
                      <h2 id="wr-bots-heading">{{E(text["botsHeading"])}}</h2>
                      <dl class="wr-facts">
                        <div><dt>{{E(text["networkCapLabel"])}}</dt><dd id="wr-network-cap">–</dd></div>
                        <div><dt>{{E(text["networksAtCapLabel"])}}</dt><dd id="wr-networks-at-cap">–</dd></div>
                      </dl>
                      <p id="wr-network-cap-configured" class="wr-muted"></p>
                      <div class="wr-table-wrap">
                        <table class="wr-networks">
                          <caption>{{E(text["busiestNetworksCaption"])}}</caption>
                          <thead><tr><th scope="col">{{E(text["networkColumn"])}}</th><th scope="col" class="wr-number">{{E(text["networkPlacesColumn"])}}</th></tr></thead>
                          <tbody id="wr-busiest-networks"></tbody>
                        </table>
                      </div>
                      <p id="wr-busiest-networks-none" class="wr-muted">{{E(text["busiestNetworksNone"])}}</p>
                      <div class="wr-table-wrap">
                        <table class="wr-tally">
                          <caption>{{E(text["entryCaption"])}}</caption>
                          <tbody>
                            <tr><th scope="row">{{E(text["entryChallengesIssued"])}}</th><td id="wr-entry-challenges-issued" class="wr-number">–</td></tr>
                            <tr><th scope="row">{{E(text["entryChallengesSolved"])}}</th><td id="wr-entry-challenges-solved" class="wr-number">–</td></tr>
                            <tr><th scope="row">{{E(text["entryProofsRefused"])}}</th><td id="wr-entry-proofs-refused" class="wr-number">–</td></tr>
                            <tr><th scope="row">{{E(text["entryProofsReplayed"])}}</th><td id="wr-entry-proofs-replayed" class="wr-number">–</td></tr>
                            <tr><th scope="row">{{E(text["entryInvitationsRefused"])}}</th><td id="wr-entry-invitations-refused" class="wr-number">–</td></tr>
                          </tbody>
                        </table>
                      </div>
                    </section>
                    <section class="wr-card wr-card-wide" aria-labelledby="wr-routes-heading">
                      <h2 id="wr-routes-heading">{{E(text["routesHeading"])}}</h2>
                      <div class="wr-table-wrap">
                        <table class="wr-routes">
                          <thead><tr><th scope="col">{{E(text["routeColumn"])}}</th><th scope="col" class="wr-number">{{E(text["countColumn"])}}</th><th scope="col" class="wr-number">{{E(text["rateColumn"])}}</th><th scope="col" class="wr-number">{{E(text["meanColumn"])}}</th><th scope="col" class="wr-number">{{E(text["p95Column"])}}</th></tr></thead>
                          <tbody id="wr-routes"></tbody>
                        </table>
                      </div>
                      <p id="wr-routes-empty" class="wr-muted">{{E(text["routesEmpty"])}}</p>
                    </section>
                    <section class="wr-card" aria-labelledby="wr-timeline-heading">
                      <h2 id="wr-timeline-heading">{{E(text["timelineHeading"])}}</h2>
                      <ol id="wr-timeline" class="wr-timeline"></ol>
                      <p id="wr-timeline-empty" class="wr-muted">{{E(text["timelineEmpty"])}}</p>
                    </section>
            {{Controls(text)}}
                  </div>
                  <p id="wr-announce" class="wr-visually-hidden" role="status" aria-live="polite" aria-atomic="true"></p>
                  <dialog id="wr-confirm" class="wr-dialog" aria-labelledby="wr-confirm-title" aria-describedby="wr-confirm-body">
                    <form method="dialog">
                      <h2 id="wr-confirm-title">{{E(text["confirmTitle"])}}</h2>
                      <p id="wr-confirm-body"></p>
                      <div class="wr-actions">
                        <button type="submit" value="cancel" id="wr-confirm-no" class="wr-button" autofocus>{{E(text["confirmNo"])}}</button>
                        <button type="submit" value="confirm" id="wr-confirm-yes" class="wr-button wr-button-primary">{{E(text["confirmYes"])}}</button>
                      </div>
                    </form>
                  </dialog>
                </main>
            """;
        return Document(language, text, title, "console", head, RoomQuery(m.Room), session, main);
    }

    /// <summary>The controls: each a form that <c>console.js</c> confirms in the dialog, then sends.</summary>
    private static string Controls(TextTable text)
    {
        var min = ChallengeService.MinDifficulty.ToString(CultureInfo.InvariantCulture);
        var max = ChallengeService.MaxDifficulty.ToString(CultureInfo.InvariantCulture);
        var maxActive = MaxActiveLimit.ToString(CultureInfo.InvariantCulture);
        var maxNetworkCap = MaxPlacesPerNetworkLimit.ToString(CultureInfo.InvariantCulture);
        var networkCapHint = TextTable.Fill(text["networkCapHint"], ("max", MaxPlacesPerNetworkLimit.ToString("N0", CultureInfo.InvariantCulture)));
        return $$"""
                    <section class="wr-card wr-card-full" aria-labelledby="wr-controls-heading">
                      <h2 id="wr-controls-heading">{{E(text["controlsHeading"])}}</h2>
                      <div class="wr-controls">
                        <form id="wr-mode-form" class="wr-control" data-control="mode" novalidate>
                          <fieldset>
                            <legend>{{E(text["modeControl"])}}</legend>
                            <div class="wr-choices">
                              <label><input type="radio" name="mode" value="Auto"> {{E(text["modeAuto"])}}</label>
                              <label><input type="radio" name="mode" value="On"> {{E(text["modeOn"])}}</label>
                              <label><input type="radio" name="mode" value="Off"> {{E(text["modeOff"])}}</label>
                              <label><input type="radio" name="mode" value="Paused"> {{E(text["modePaused"])}}</label>
                            </div>
                          </fieldset>
                          <p id="wr-mode-error" class="wr-form-error" hidden></p>
                          <button type="submit" class="wr-button wr-button-primary">{{E(text["modeApply"])}}</button>
                        </form>
                        <form id="wr-max-active-form" class="wr-control" data-control="max-active" novalidate>
                          <label for="wr-max-active">{{E(text["maxActiveControl"])}}</label>
                          <p id="wr-max-active-hint" class="wr-hint">{{E(text["maxActiveHint"])}}</p>
                          <input id="wr-max-active" name="maxActive" type="number" min="0" max="{{maxActive}}" step="1" inputmode="numeric" aria-describedby="wr-max-active-hint wr-max-active-error">
                          <p id="wr-max-active-error" class="wr-form-error" hidden></p>
                          <button type="submit" class="wr-button wr-button-primary">{{E(text["maxActiveApply"])}}</button>
                        </form>
                        <form id="wr-network-cap-form" class="wr-control" data-control="network-cap" novalidate>
                          <label for="wr-network-cap-input">{{E(text["networkCapControl"])}}</label>
                          <p id="wr-network-cap-hint" class="wr-hint">{{E(networkCapHint)}}</p>
                          <input id="wr-network-cap-input" name="maxPlacesPerNetwork" type="number" min="0" max="{{maxNetworkCap}}" step="1" inputmode="numeric" aria-describedby="wr-network-cap-hint wr-network-cap-error">
                          <p id="wr-network-cap-error" class="wr-form-error" hidden></p>
                          <button type="submit" class="wr-button wr-button-primary">{{E(text["networkCapApply"])}}</button>
                        </form>
                        <form id="wr-challenge-form" class="wr-control" data-control="challenge" novalidate>
                          <fieldset>
                            <legend>{{E(text["challengeControl"])}}</legend>
                            <div class="wr-choices">
                              <label><input type="radio" name="challengeMode" value="None"> {{E(text["challengeModeNone"])}}</label>
                              <label><input type="radio" name="challengeMode" value="ProofOfWork"> {{E(text["challengeModeProofOfWork"])}}</label>
                            </div>
                            <label for="wr-difficulty">{{E(text["difficultyLabel"])}}</label>
                            <input id="wr-difficulty" name="difficulty" type="number" min="{{min}}" max="{{max}}" step="1" inputmode="numeric" aria-describedby="wr-challenge-error">
                          </fieldset>
                          <p id="wr-challenge-error" class="wr-form-error" hidden></p>
                          <button type="submit" class="wr-button wr-button-primary">{{E(text["challengeApply"])}}</button>
                        </form>
                        <form id="wr-inventory-form" class="wr-control" data-control="inventory" novalidate>
                          <fieldset>
                            <legend>{{E(text["inventoryControl"])}}</legend>
                            <label for="wr-inventory-remaining">{{E(text["inventoryRemainingLabel"])}}</label>
                            <input id="wr-inventory-remaining" name="remaining" type="number" min="0" step="1" inputmode="numeric" aria-describedby="wr-inventory-error">
                          </fieldset>
                          <p id="wr-inventory-error" class="wr-form-error" hidden></p>
                          <div class="wr-actions">
                            <button type="submit" name="action" value="set" class="wr-button wr-button-primary">{{E(text["inventoryApply"])}}</button>
                            <button type="submit" name="action" value="clear" class="wr-button">{{E(text["inventoryClear"])}}</button>
                          </div>
                        </form>
                        <form id="wr-event-form" class="wr-control wr-control-wide" data-control="event" novalidate>
                          <fieldset>
                            <legend>{{E(text["eventControl"])}}</legend>
                            <p id="wr-times-local" class="wr-hint">{{E(text["timesLocal"])}}</p>
                            <label for="wr-event-name">{{E(text["eventNameLabel"])}}</label>
                            <input id="wr-event-name" name="name" type="text" maxlength="200" autocomplete="off" aria-describedby="wr-event-error">
                            <label for="wr-event-prequeue">{{E(text["eventPrequeueLabel"])}}</label>
                            <input id="wr-event-prequeue" name="prequeueOpensAt" type="datetime-local" step="1" aria-describedby="wr-times-local wr-event-error">
                            <label for="wr-event-starts">{{E(text["eventStartsLabel"])}}</label>
                            <input id="wr-event-starts" name="startsAt" type="datetime-local" step="1" aria-describedby="wr-times-local wr-event-error">
                            <fieldset class="wr-inner">
                              <legend>{{E(text["eventOrderLabel"])}}</legend>
                              <div class="wr-choices">
                                <label><input type="radio" name="order" value="Lottery" checked> {{E(text["orderLottery"])}}</label>
                                <label><input type="radio" name="order" value="Fifo"> {{E(text["orderFifo"])}}</label>
                              </div>
                            </fieldset>
                          </fieldset>
                          <p id="wr-event-error" class="wr-form-error" hidden></p>
                          <div class="wr-actions">
                            <button type="submit" name="action" value="set" class="wr-button wr-button-primary">{{E(text["eventApply"])}}</button>
                            <button type="submit" name="action" value="cancel" class="wr-button">{{E(text["eventCancel"])}}</button>
                          </div>
                        </form>
                      </div>
                    </section>
            """;
    }

    /// <summary>
    /// The document both pages are: the head (charset, viewport, no indexing, no referrer, both colour schemes, the title,
    /// the style sheet, then <paramref name="head"/>), a skip link, the header (brand, a link to the page in each language
    /// with <paramref name="query"/> plus <c>lang=</c>, then <paramref name="session"/>), and <paramref name="main"/>.
    /// </summary>
    private static string Document(string language, TextTable text, string title, string page, string head, string query, string session, string main) => $$"""
            <!doctype html>
            <html lang="{{language}}">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <meta name="robots" content="noindex, nofollow">
              <meta name="referrer" content="no-referrer">
              <meta name="color-scheme" content="light dark">
              <title>{{E(title)}} – {{E(text["brand"])}}</title>
              <link rel="stylesheet" href="{{AssetsPath}}/console.css">
            {{head}}
            </head>
            <body data-page="{{page}}">
              <a class="wr-skip" href="#wr-main">{{E(text["skipToContent"])}}</a>
              <header class="wr-top">
                <p class="wr-brand">{{E(text["brand"])}}</p>
                <nav class="wr-lang" aria-label="{{E(text["languageLabel"])}}">
                  {{LanguageLink(query, ConsoleTexts.Korean, language)}}
                  {{LanguageLink(query, ConsoleTexts.English, language)}}
                </nav>
            {{session}}
              </header>
            {{main}}
            </body>
            </html>

            """;

    /// <summary>A link to this page in <paramref name="texts"/>' language, named in that language.</summary>
    private static string LanguageLink(string query, TextTable texts, string current)
    {
        var language = texts.Language;
        var href = PagePath + "?" + (query.Length == 0 ? string.Empty : query + "&") + PageLanguages.QueryParameter + "=" + language;
        var currentMark = language == current ? " aria-current=\"true\"" : string.Empty;
        return $"""<a href="{E(href)}" lang="{language}" hreflang="{language}"{currentMark}>{E(texts["languageName"])}</a>""";
    }

    private static string RoomQuery(string? room) =>
        room is null ? string.Empty : RoomParameter + "=" + Uri.EscapeDataString(room);

    private static string Before(string template, string placeholder)
    {
        var at = template.IndexOf(placeholder, StringComparison.Ordinal);
        return at < 0 ? template : template[..at];
    }

    private static string After(string template, string placeholder)
    {
        var at = template.IndexOf(placeholder, StringComparison.Ordinal);
        return at < 0 ? string.Empty : template[(at + placeholder.Length)..];
    }

    private static string Iso(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private static string E(string value) => PageEncoding.Html(value);

    // The data block: not HTML-encoded on purpose (a <script> element's text is not entity-decoded); PageEncoding's
    // writer escapes '<', '>', '&', quotes and non-ASCII, so no value can close the element. The texts go as they are in
    // the table, placeholders unfilled: console.js fills them by TextTable.Fill's rule.
    private static string Json(ConsolePageModel m, TextTable text)
    {
        var buffer = new ArrayBufferWriter<byte>(JsonBufferBytes);
        using (var json = new Utf8JsonWriter(buffer, PageEncoding.DataBlock))
        {
            json.WriteStartObject();
            json.WriteString("operator", m.Operator);
            json.WriteString("csrfToken", m.CsrfToken);
            json.WriteString("expiresAt", Iso(m.ExpiresAt));
            json.WriteString("language", text.Language);
            json.WriteString("room", m.Room);
            json.WriteStartArray("rooms");
            foreach (var room in m.Rooms)
            {
                json.WriteStringValue(room);
            }

            json.WriteEndArray();
            json.WriteString("apiBase", BasePath);
            json.WriteStartObject("thresholds");
            json.WriteNumber("off", m.OffThreshold);
            json.WriteNumber("on", m.OnThreshold);
            json.WriteNumber("spike", m.SpikeThreshold);
            json.WriteEndObject();
            text.WriteTo(json, "texts");
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
