namespace YarpWaitingRoom.Tokens;

/// <summary>What a token says once its signature checked out.</summary>
/// <param name="Kind">What it grants.</param>
/// <param name="Room">The room it is valid for (empty for visitor tokens, which span rooms).</param>
/// <param name="Visitor">The visitor it belongs to.</param>
/// <param name="Ticket">The queue ticket it refers to (empty for visitor tokens).</param>
/// <param name="ExpiresAt">After this it is refused.</param>
/// <param name="ReturnUrl">
/// Where the visitor first wanted to go (a local URL: <see cref="Queue.LocalUrls"/>), carried by tickets and entry codes so
/// the room keeps none in Redis; null when the token carries none.
/// </param>
internal sealed record TokenClaims(TokenKind Kind, string Room, string Visitor, string Ticket, DateTimeOffset ExpiresAt, string? ReturnUrl = null);
