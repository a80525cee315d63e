namespace YarpWaitingRoom.Yarp.Console;

/// <summary>What the operator console's sign-in page shows.</summary>
/// <param name="Language"><c>"ko"</c> or <c>"en"</c> (see <see cref="Hosting.PageLanguages.Pick"/>).</param>
/// <param name="Error">
/// Why the page is shown again: <see langword="null"/> (a first visit), <see cref="SignInErrors.WrongKey"/>,
/// <see cref="SignInErrors.TooMany"/>, <see cref="SignInErrors.SignedOut"/> or <see cref="SignInErrors.Expired"/>.
/// </param>
/// <param name="Room">The room the console should show once signed in (carried through the form), or <see langword="null"/>.</param>
internal sealed record SignInPageModel(string Language, string? Error, string? Room);
