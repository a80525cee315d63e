using System.Globalization;
using YarpWaitingRoom.Challenges;
using YarpWaitingRoom.Queue;

namespace YarpWaitingRoom.Hub.Page;

/// <summary>
/// The challenge page (<see cref="Protocol.WaitingRoomPaths.ChallengePage"/>): in the waiting page's look, it tells the
/// visitor that a short check protects the line from bots and shows its progress while <c>challenge.js</c> has a
/// dedicated worker (<c>solve.js</c>) solve the challenge with WebCrypto; once solved, the script sets the
/// <see cref="ProofCookie"/> and goes back to the return URL, where the gate verifies the proof and joins. The challenge
/// (prefix, difficulty, expiry and the time left by the server's clock), the return URL, the worker's URL, the cookie's name and lifetime
/// and the few words the script updates the page with are in <c>data-</c> attributes of <c>#wr-challenge</c>: the script
/// holds no words and no rule of its own. Without JavaScript the page says the check needs it. Without a valid
/// <c>wr_vid</c> there is nothing to bind a challenge to: the page says cookies are needed.
/// </summary>
internal static class ChallengePage
{
    /// <summary>The <c>data-state</c> of the page's body while there is a challenge to solve.</summary>
    public const string ChallengeState = "challenge";

    /// <summary>The <c>data-state</c> of the page's body when the browser sent no valid <c>wr_vid</c>.</summary>
    public const string CookiesState = "cookies";

    /// <summary>The solver, a dedicated worker of the page's script.</summary>
    public const string WorkerPath = WaitingPage.AssetsPath + "/solve.js";

    public static string Render(ChallengePageModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var text = PageTexts.For(model.Language);
        var language = text.Language;
        var returnUrl = LocalUrls.IsLocal(model.ReturnUrl) ? model.ReturnUrl : "/";
        var name = string.IsNullOrWhiteSpace(model.Title) ? model.Room : model.Title;
        var challenge = model.Challenge;
        var state = challenge is null ? CookiesState : ChallengeState;
        var title = challenge is null ? text["titleCookies"] : text["titleChallenge"];

        var content = challenge is null
            ? $"""
                  <div id="wr-alert" class="wr-alert" data-kind="gone">
                    <p class="wr-alert-title">{E(text["cookiesTitle"])}</p>
                    <p>{E(text["cookiesBody"])}</p>
                    <p><a class="wr-button" id="wr-try-again" href="{E(returnUrl)}">{E(text["tryAgain"])}</a></p>
                  </div>
            """
            : $"""
                  <section id="wr-challenge" class="wr-waiting"
                    data-prefix="{E(challenge.Prefix)}"
                    data-difficulty="{challenge.Difficulty.ToString(CultureInfo.InvariantCulture)}"
                    data-expires-at="{challenge.ExpiresAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)}"
                    data-expires-in-ms="{Math.Max(0, (long)(challenge.ExpiresAt - model.Now).TotalMilliseconds).ToString(CultureInfo.InvariantCulture)}"
                    data-return="{E(returnUrl)}"
                    data-worker="{WorkerPath}"
                    data-cookie="{ProofCookie.Name}"
                    data-cookie-max-age="{ProofCookie.MaxAgeSeconds.ToString(CultureInfo.InvariantCulture)}"
                    data-text-value="{E(text["challengeProgressValue"])}"
                    data-text-working="{E(text["challengeWorking"])}"
                    data-text-done="{E(text["challengeDone"])}"
                    data-text-expired="{E(text["challengeExpired"])}"
                    data-text-failed="{E(text["challengeFailed"])}">
                    <p class="wr-lead">{E(text["challengeLead"])}</p>
                    <div class="wr-progress" id="wr-challenge-box" hidden>
                      <div class="wr-progress-head">
                        <label for="wr-challenge-progress">{E(text["challengeProgressLabel"])}</label>
                        <span id="wr-challenge-value" class="wr-progress-value" aria-hidden="true"></span>
                      </div>
                      <progress id="wr-challenge-progress" max="100" value="0"></progress>
                    </div>
                    <p id="wr-challenge-status" class="wr-note" role="status" aria-live="polite" aria-atomic="true"></p>
                    <p id="wr-challenge-retry" hidden><a class="wr-button" href="{E(returnUrl)}">{E(text["tryAgain"])}</a></p>
                    <noscript><p class="wr-connection" data-connection="closed">{E(text["challengeNoScript"])}</p></noscript>
                  </section>
            """;

        var head = $"""
              <script src="{WaitingPage.AssetsPath}/challenge.js" defer></script>
            """;
        return WaitingPage.Document(language, text, title, name, state, head, $"return={Uri.EscapeDataString(returnUrl)}", content);
    }

    private static string E(string value) => WaitingPage.E(value);
}
