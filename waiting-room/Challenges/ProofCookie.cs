namespace YarpWaitingRoom.Challenges;

/// <summary>
/// <c>wr_proof</c>: how the waiting page's challenge (<see cref="Protocol.WaitingRoomPaths.ChallengePage"/>) hands its
/// proof to the gate. Once its worker has solved the challenge, the page sets
/// <c>wr_proof=&lt;prefix&gt;:&lt;nonce&gt;; Path=/; Max-Age=120; SameSite=Strict</c> (and <c>Secure</c> over https) and
/// goes back to where the visitor was going; the gate reads it as it reads <see cref="ChallengeService.ProofHeader"/>
/// (the same value), verifies it, clears it and joins. The hub renders the name and lifetime into the page, so the
/// script holds neither.
/// </summary>
internal static class ProofCookie
{
    /// <summary>The cookie's name.</summary>
    public const string Name = "wr_proof";

    /// <summary>How long the browser keeps it (seconds): the challenge's default lifetime, it is spent at once anyway.</summary>
    public const int MaxAgeSeconds = 120;
}
