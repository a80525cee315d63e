using YarpWaitingRoom.Challenges;
using YarpWaitingRoom.Hosting;
using YarpWaitingRoom.Invitations;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Yarp.Diagnostics;
using YarpWaitingRoom.Yarp.Rooms;

namespace YarpWaitingRoom.Yarp.Gate;

/// <summary>
/// What a visitor without a place must bring for a new one, checked in process before the join (no Redis call for a
/// bad credential):
/// <list type="bullet">
/// <item><b>Invitation key</b> (room <c>Access = Invitation</c>), from <see cref="AccessHeader"/> or the
/// <see cref="AccessQuery"/> query parameter (a link from the ticket site). A valid key makes the visitor the member's
/// own visitor id (<see cref="MemberVisitors"/>) and gives the browser that <c>wr_vid</c>: one key is one place, from any
/// browser. A forged, expired or other room's key is refused at once (403).</item>
/// <item><b>Proof of work</b> (the room's challenge on), from <see cref="ChallengeService.ProofHeader"/> or the
/// <see cref="ProofCookie"/> cookie the waiting page's solver sets (cleared once read). A valid proof rides into the join,
/// which spends it only if it takes a place; an expired one, or one easier than the room's difficulty now, counts as
/// none (a fresh challenge follows); a malformed, forged or unsolved one is 400, another visitor's or room's 403.</item>
/// </list>
/// What is missing makes the join refuse a new place (<see cref="JoinConditions.MayTakePlace"/>) while still answering a
/// held one: a visitor who holds a place or an admission is never asked again, and the question costs no extra call.
/// </summary>
internal sealed partial class EntryCredentials(
    ChallengeService challenges, MemberVisitorKey memberKey, WaitingRoomCookies cookies, GateMetrics metrics, TimeProvider timeProvider, ILogger<EntryCredentials> logger)
{
    /// <summary>The request header that carries an invitation key.</summary>
    public const string AccessHeader = "X-WaitingRoom-Access";

    /// <summary>The query parameter that carries an invitation key on a link.</summary>
    public const string AccessQuery = "wr_access";

    /// <summary>The cookie the waiting page's solver leaves its proof in for the next navigation (2 minutes, SameSite=Strict).</summary>
    public const string ProofCookie = Challenges.ProofCookie.Name;

    private readonly LogThrottle _refusedLog = new(TimeSpan.FromSeconds(1), timeProvider);

    /// <summary>
    /// Checks what the request brings. Returns null when it answered the request itself (a bad credential: 400/403
    /// problem, counted and logged); otherwise the join's conditions, the visitor to join as (the member's, with a valid
    /// invitation key), and whether an invitation key is what is missing.
    /// </summary>
    public async Task<EntryCheck?> CheckAsync(HttpContext context, Room room, string visitor, DateTimeOffset now)
    {
        var request = context.Request;
        var invitationMissing = false;
        if (room.Invitations is { } invitations)
        {
            var key = FirstOf(request.Headers[AccessHeader].ToString(), request.Query[AccessQuery].ToString());
            ForgetKey(request);
            if (key.Length == 0)
            {
                invitationMissing = true;
            }
            else
            {
                var status = invitations.Verify(key, now, out var member);
                if (status != InvitationKeyStatus.Valid)
                {
                    await RefuseInvitationAsync(context, room, status);
                    return null;
                }

                var memberVisitor = MemberVisitors.Of(memberKey.Bytes, room.Name, member!);
                if (memberVisitor != visitor)
                {
                    cookies.SetVisitor(context, memberVisitor);
                    visitor = memberVisitor;
                }
            }
        }

        var challenge = room.Snapshot.ChallengeOf(room.Options);
        VerifiedProof? proof = null;
        var proofMissing = false;
        if (challenge.IsOn)
        {
            var fromCookie = RequestCookie.Find(request, ProofCookie);
            if (!fromCookie.IsEmpty)
            {
                context.Response.Cookies.Delete(ProofCookie, new CookieOptions { Path = "/" });
            }

            var sent = FirstOf(request.Headers[ChallengeService.ProofHeader].ToString(), fromCookie.ToString());
            var verified = default(VerifiedProof);
            var outcome = sent.Length == 0
                ? ProofOutcome.Expired
                : challenges.Verify(room.Name, visitor, sent, now, challenge.Difficulty, out verified);
            switch (outcome)
            {
                case ProofOutcome.Valid:
                    proof = verified;
                    break;
                case ProofOutcome.Expired or ProofOutcome.TooEasy:
                    // None, or one that no longer counts: the visitor is given a fresh challenge (if it has no place).
                    proofMissing = true;
                    break;
                default:
                    await RefuseProofAsync(context, room, outcome);
                    return null;
            }
        }

        return new EntryCheck(visitor, new JoinConditions(!invitationMissing && !proofMissing, proof), invitationMissing);
    }

    /// <summary>A new challenge for <paramref name="visitor"/> at the room's difficulty now, counted.</summary>
    public Challenge Issue(Room room, string visitor, DateTimeOffset now)
    {
        metrics.ChallengeIssued(room.Name);
        room.EntryTally.ChallengeIssued();
        return challenges.Issue(room.Name, visitor, room.Snapshot.ChallengeOf(room.Options).Difficulty, now);
    }

    /// <summary>The join spent the proof: a challenge solved.</summary>
    public void Solved(Room room)
    {
        metrics.ChallengeSolved(room.Name);
        room.EntryTally.ChallengeSolved();
    }

    /// <summary>The join found the proof's challenge used before (any proxy): 403, counted and logged.</summary>
    public Task RefuseReplayAsync(HttpContext context, Room room) => RefuseProofAsync(context, room, ProofOutcome.Replayed);

    /// <summary>The room takes members only and the visitor, who holds no place, brought no key: 403, counted.</summary>
    public Task RefuseMissingInvitationAsync(HttpContext context, Room room) => RefuseInvitationAsync(context, room, InvitationKeyStatus.Missing);

    private Task RefuseProofAsync(HttpContext context, Room room, ProofOutcome outcome)
    {
        var (status, type, detail) = outcome switch
        {
            ProofOutcome.Replayed => (StatusCodes.Status403Forbidden, ProblemTypes.ProofReplayed,
                "This challenge was solved and used before. Ask again without a proof for a new challenge."),
            ProofOutcome.WrongRoom or ProofOutcome.WrongVisitor => (StatusCodes.Status403Forbidden, ProblemTypes.ForeignProof,
                "This proof answers a challenge issued to another visitor or room. Keep the wr_vid cookie between the challenge and the proof."),
            _ => (StatusCodes.Status400BadRequest, ProblemTypes.InvalidProof,
                $"The proof is not '<prefix>:<nonce>' solving a challenge this room issued ({Reason(outcome)})."),
        };
        metrics.ProofRefused(room.Name, Reason(outcome));
        room.EntryTally.ProofRefused(replayed: outcome == ProofOutcome.Replayed);
        if (_refusedLog.TryEnter())
        {
            Log.ProofRefused(logger, room.Name, outcome);
        }

        return WriteProblemAsync(context, status, outcome == ProofOutcome.Replayed ? "Proof already used" : "Proof refused", detail, type);
    }

    private Task RefuseInvitationAsync(HttpContext context, Room room, InvitationKeyStatus status)
    {
        var (type, title, detail) = status switch
        {
            InvitationKeyStatus.Missing => (ProblemTypes.InvitationRequired, "Invitation required",
                $"Room '{room.Name}' is open to invited members only: follow the link the ticket site gave you (it carries your key)."),
            InvitationKeyStatus.Expired => (ProblemTypes.InvitationExpired, "Invitation expired",
                "This invitation key has expired. Ask the ticket site for a new link."),
            InvitationKeyStatus.WrongRoom => (ProblemTypes.ForeignInvitation, "Invitation for another room",
                $"This invitation key is for another room, not '{room.Name}'."),
            _ => (ProblemTypes.InvalidInvitation, "Invalid invitation",
                "This invitation key is not one the ticket site issued for this room."),
        };
        var reason = Reason(status);
        metrics.InvitationRefused(room.Name, reason);
        room.EntryTally.InvitationRefused();
        if (_refusedLog.TryEnter())
        {
            Log.InvitationRefused(logger, room.Name, reason);
        }

        return WriteProblemAsync(context, StatusCodes.Status403Forbidden, title, detail, type);
    }

    private static Task WriteProblemAsync(HttpContext context, int status, string title, string detail, string type)
    {
        SecurityHeaders.AddTo(context.Response.Headers);
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Problem(statusCode: status, title: title, detail: detail, type: type).ExecuteAsync(context);
    }

    /// <summary>
    /// The key is the waiting room's business: once read, it is taken out of the request, so neither the backend (the
    /// forwarded URL and headers) nor a return URL (the waiting page's link, the entry link) ever carries it.
    /// </summary>
    private static void ForgetKey(HttpRequest request)
    {
        request.Headers.Remove(AccessHeader);
        if (request.Query.ContainsKey(AccessQuery))
        {
            request.QueryString = QueryString.Create(request.Query.Where(q => !string.Equals(q.Key, AccessQuery, StringComparison.OrdinalIgnoreCase)));
        }
    }

    private static string FirstOf(string header, string other) => header.Length > 0 ? header : other;

    /// <summary>The metric label of a refused proof.</summary>
    internal static string Reason(ProofOutcome outcome) => outcome switch
    {
        ProofOutcome.Malformed => "malformed",
        ProofOutcome.BadSignature => "bad-signature",
        ProofOutcome.WrongRoom => "wrong-room",
        ProofOutcome.WrongVisitor => "wrong-visitor",
        ProofOutcome.InsufficientWork => "insufficient-work",
        ProofOutcome.Replayed => "replayed",
        ProofOutcome.Expired => "expired",
        ProofOutcome.TooEasy => "too-easy",
        _ => "valid",
    };

    /// <summary>The metric label of a refused invitation key.</summary>
    internal static string Reason(InvitationKeyStatus status) => status switch
    {
        InvitationKeyStatus.Missing => "missing",
        InvitationKeyStatus.UnsupportedVersion => "unsupported-version",
        InvitationKeyStatus.Malformed => "malformed",
        InvitationKeyStatus.WrongRoom => "wrong-room",
        InvitationKeyStatus.BadSignature => "bad-signature",
        InvitationKeyStatus.Expired => "expired",
        _ => "valid",
    };

    private static partial class Log
    {
        [LoggerMessage(EventIds.ProofRefused, LogLevel.Warning, "Room {Room}: proof of work refused ({Outcome}); at most one line a second")]
        public static partial void ProofRefused(ILogger logger, string room, ProofOutcome outcome);

        [LoggerMessage(EventIds.InvitationRefused, LogLevel.Warning, "Room {Room}: invitation key refused ({Reason}); at most one line a second")]
        public static partial void InvitationRefused(ILogger logger, string room, string reason);
    }
}

/// <summary>What <see cref="EntryCredentials.CheckAsync"/> found: who joins, under which conditions, and whether an invitation key is what is missing.</summary>
internal readonly record struct EntryCheck(string Visitor, JoinConditions Conditions, bool InvitationMissing);

/// <summary>The key member ids are turned into visitor ids with (<see cref="Options.WaitingRoomOptions.MemberVisitorKey"/>).</summary>
internal sealed record MemberVisitorKey(byte[] Bytes);
