namespace YarpWaitingRoom.Yarp.Console;

/// <summary>Why the sign-in page is shown again (<see cref="SignInPageModel.Error"/>); the page says each in its language.</summary>
internal static class SignInErrors
{
    /// <summary>The key was not one of the operators' keys (401).</summary>
    public const string WrongKey = "wrong-key";

    /// <summary>Too many attempts from this address (429).</summary>
    public const string TooMany = "too-many";

    /// <summary>The operator signed out.</summary>
    public const string SignedOut = "signed-out";

    /// <summary>The session's lifetime ran out, or the server ended it.</summary>
    public const string Expired = "expired";
}
