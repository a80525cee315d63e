namespace YarpWaitingRoom.Tokens;

/// <summary>
/// <c>wr_vid</c>: who a browser is, across rooms, tabs and reloads; a signed <see cref="TokenKind.Visitor"/> token set
/// by the proxies and read by proxies and hubs alike (it is how a hub tells the ticket's own browser from another).
/// </summary>
internal static class VisitorCookie
{
    public const string Name = "wr_vid";

    /// <summary>The visitor a <c>wr_vid</c> value names when it is a valid visitor token; otherwise <see langword="null"/>.</summary>
    public static string? VisitorOf(this TokenService tokens, string? value, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        return value is not null
            && tokens.Validate(value, TokenKind.Visitor, room: string.Empty, visitor: null, now, out var claims) == TokenStatus.Valid
            ? claims!.Visitor
            : null;
    }
}
