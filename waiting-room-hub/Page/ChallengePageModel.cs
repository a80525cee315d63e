using YarpWaitingRoom.Challenges;

namespace YarpWaitingRoom.Hub.Page;

/// <summary>What the challenge page shows (<see cref="ChallengePage"/>).</summary>
/// <param name="Room">The room's name, as in its URLs.</param>
/// <param name="Title">What the page calls the room (<see cref="WaitingPageTitle"/>); <paramref name="Room"/> when <see langword="null"/>.</param>
/// <param name="ReturnUrl">The local URL the visitor was going to: where the page goes once the proof is set.</param>
/// <param name="Language"><c>"ko"</c> or <c>"en"</c> (see <see cref="Hosting.PageLanguages.Pick"/>).</param>
/// <param name="Challenge">The challenge to solve; <see langword="null"/> when the browser sent no valid <c>wr_vid</c> (the cookies page).</param>
/// <param name="Now">The server's clock when the page was rendered: the time left to solve is measured from it.</param>
internal sealed record ChallengePageModel(
    string Room,
    string? Title,
    string ReturnUrl,
    string Language,
    Challenge? Challenge,
    DateTimeOffset Now);
