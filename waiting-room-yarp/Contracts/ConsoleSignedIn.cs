namespace YarpWaitingRoom.Yarp.Contracts;

/// <summary>A console sign-in's answer to a script (JSON body): who, until when, and the token its changes must carry.</summary>
internal sealed record ConsoleSignedIn(string Operator, DateTimeOffset ExpiresAt, string CsrfToken);
