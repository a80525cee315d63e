using System.Collections.Concurrent;
using System.Diagnostics;
using YarpWaitingRoom.Challenges;
using YarpWaitingRoom.Tokens;

namespace YarpWaitingRoom.Bench;

/// <summary>
/// New visitors, each with a valid <c>wr_vid</c> cookie and a solved challenge bound to it, minted ahead of a measurement
/// with the proxy's own signing key (read from the environment it was started with), so that the measured requests cost
/// the client nothing but sending them. The challenges live an hour and are solved at their own difficulty, 1.
/// </summary>
internal sealed class ProvenVisitors
{
    private const string SigningKeyVariable = "WaitingRoom__SigningKeys__bench";
    private const int Difficulty = 1;

    private readonly TokenService _tokens;
    private readonly ChallengeService _challenges;
    private readonly string _room;
    private readonly ConcurrentQueue<(string Cookie, string Proof)> _ready = new();

    public ProvenVisitors(IReadOnlyDictionary<string, string> proxyEnvironment, string room)
    {
        ArgumentNullException.ThrowIfNull(proxyEnvironment);
        var key = new SigningKey("bench", Convert.FromBase64String(proxyEnvironment[SigningKeyVariable]));
        _tokens = new TokenService([key]);
        _challenges = new ChallengeService([key], TimeSpan.FromHours(1));
        _room = room;
    }

    /// <summary>Mints as many as it takes to have <paramref name="count"/> ready; returns how long it took.</summary>
    public TimeSpan TopUpTo(int count)
    {
        var started = Stopwatch.GetTimestamp();
        count -= _ready.Count;
        var now = DateTimeOffset.UtcNow;
        Parallel.For(0, Math.Max(0, count), _ =>
        {
            var visitor = "v" + Queue.TicketIds.New();
            var cookie = $"{VisitorCookie.Name}={_tokens.Issue(TokenKind.Visitor, string.Empty, visitor, string.Empty, now + TokenLifetimes.Visitor)}";
            var challenge = _challenges.Issue(_room, visitor, Difficulty, now);
            var nonce = ProofSolver.Solve(challenge.Prefix, Difficulty).Nonce;
            _ready.Enqueue((cookie, ChallengeService.FormatProof(challenge.Prefix, nonce)));
        });
        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>The next unused one; false when all are used (the measurement counts a failure).</summary>
    public bool TryTake(out string cookie, out string proof)
    {
        if (_ready.TryDequeue(out var next))
        {
            (cookie, proof) = next;
            return true;
        }

        (cookie, proof) = (string.Empty, string.Empty);
        return false;
    }
}
