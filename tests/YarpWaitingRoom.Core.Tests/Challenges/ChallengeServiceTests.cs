using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using YarpWaitingRoom.Challenges;
using YarpWaitingRoom.Tokens;

namespace YarpWaitingRoom.Tests.Challenges;

public sealed class ChallengeServiceTests
{
    private const string Room = "concert";
    private const string Visitor = "v-3f2a9c";
    private const int Easy = 8;

    private static readonly SigningKey OldKey = new("k1", Encoding.UTF8.GetBytes("old-secret-old-secret-old-secret-0"));
    private static readonly SigningKey NewKey = new("k2", Encoding.UTF8.GetBytes("new-secret-new-secret-new-secret-0"));

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    private readonly ChallengeService _sut = new([NewKey, OldKey]);

    private DateTimeOffset Now => _time.GetUtcNow();

    [Fact]
    public void Issue_GivesTheWireShape_SignedWithTheFirstKey_ValidForTheLifetime()
    {
        var challenge = _sut.Issue(Room, Visitor, 18, Now);

        Assert.Equal(("sha256-leading-zero-bits", 18, Now + TimeSpan.FromMinutes(2)), (challenge.Algorithm, challenge.Difficulty, challenge.ExpiresAt));
        Assert.StartsWith("k2.", challenge.Prefix, StringComparison.Ordinal);
        Assert.Equal(2 + 1 + 56 + 1 + 22, challenge.Prefix.Length);
        Assert.DoesNotContain(':', challenge.Prefix);
        Assert.Equal(TimeSpan.FromMinutes(2), ChallengeService.DefaultLifetime);
    }

    [Fact]
    public void Issue_TwiceForTheSameVisitor_GivesTwoDifferentChallenges()
    {
        var first = _sut.Issue(Room, Visitor, Easy, Now);
        var second = _sut.Issue(Room, Visitor, Easy, Now);

        Assert.NotEqual(first.Prefix, second.Prefix);
        Assert.NotEqual(Verified(first).ChallengeId, Verified(second).ChallengeId);
    }

    [Fact]
    public void Verify_SolvedChallenge_IsValid_WithItsIdExpiryAndDifficulty()
    {
        var challenge = _sut.Issue(Room, Visitor, Easy, Now);
        var proof = Solve(challenge);

        var outcome = _sut.Verify(Room, Visitor, proof, Now, minimumDifficulty: 0, out var verified);

        Assert.Equal(ProofOutcome.Valid, outcome);
        Assert.Equal((challenge.ExpiresAt, Easy), (verified.ExpiresAt, verified.Difficulty));
        Assert.Matches("^[0-9a-f]{32}$", verified.ChallengeIdText);
    }

    [Fact]
    public void Verify_ChallengeOfAnotherRoom_IsWrongRoom()
    {
        var proof = Solve(_sut.Issue("theatre", Visitor, Easy, Now));

        Assert.Equal(ProofOutcome.WrongRoom, _sut.Verify(Room, Visitor, proof, Now, 0, out _));
    }

    [Fact]
    public void Verify_MoreRoomsThanTheFingerprintsRemembered_EachChallengeStillBoundToItsRoom()
    {
        var rooms = Enumerable.Range(0, 1100).Select(i => "room-" + i).ToArray();
        var proofs = rooms.Select(room => Solve(_sut.Issue(room, Visitor, 1, Now))).ToArray();

        for (var i = 0; i < rooms.Length; i++)
        {
            Assert.Equal(ProofOutcome.Valid, _sut.Verify(rooms[i], Visitor, proofs[i], Now, 0, out _));
            Assert.Equal(ProofOutcome.WrongRoom, _sut.Verify(rooms[(i + 1) % rooms.Length], Visitor, proofs[i], Now, 0, out _));
        }
    }

    [Fact]
    public void Verify_ChallengeOfAnotherVisitor_IsWrongVisitor()
    {
        var proof = Solve(_sut.Issue(Room, "v-other", Easy, Now));

        Assert.Equal(ProofOutcome.WrongVisitor, _sut.Verify(Room, Visitor, proof, Now, 0, out _));
    }

    [Fact]
    public void Verify_AnyOneCharacterOfThePrefixChanged_IsRefused_AsBadSignatureWhenStillWellFormed()
    {
        var challenge = _sut.Issue(Room, Visitor, Easy, Now);
        var nonce = ProofSolver.Solve(challenge.Prefix, Easy, cancellationToken: TestContext.Current.CancellationToken).Nonce;
        var lastDot = challenge.Prefix.LastIndexOf('.');

        for (var i = 0; i < challenge.Prefix.Length; i++)
        {
            if (challenge.Prefix[i] == '.')
            {
                continue;
            }

            var tampered = challenge.Prefix.ToCharArray();
            tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
            var outcome = _sut.Verify(Room, Visitor, ChallengeService.FormatProof(new string(tampered), nonce), Now, 0, out _);

            // The key id (unknown) and the payload (signature): BadSignature. In the tag, a change of the last character
            // may only touch its 4 unused bits: refused by the decoder as another spelling.
            Assert.True(
                outcome == ProofOutcome.BadSignature || (i == challenge.Prefix.Length - 1 && outcome == ProofOutcome.Malformed),
                $"character {i} ({(i > lastDot ? "tag" : "key id or payload")}): {outcome}");
        }
    }

    [Fact]
    public void Verify_TagWithItsUnusedBitsSet_IsMalformed_SoAChallengeHasOneSpelling()
    {
        var challenge = _sut.Issue(Room, Visitor, Easy, Now);
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var last = Alphabet.IndexOf(challenge.Prefix[^1], StringComparison.Ordinal);
        // The last character's low 4 bits lie past the tag's 128 bits: same bytes, another spelling.
        var respelled = challenge.Prefix[..^1] + Alphabet[last | 0x01];
        var nonce = ProofSolver.Solve(respelled, Easy, cancellationToken: TestContext.Current.CancellationToken).Nonce;

        Assert.Equal(ProofOutcome.Malformed, _sut.Verify(Room, Visitor, ChallengeService.FormatProof(respelled, nonce), Now, 0, out _));
    }

    [Fact]
    public void Verify_ChallengeOfAKeyIdNotListed_IsBadSignature()
    {
        var proof = Solve(new ChallengeService([new SigningKey("k9", new byte[32])]).Issue(Room, Visitor, Easy, Now));

        Assert.Equal(ProofOutcome.BadSignature, _sut.Verify(Room, Visitor, proof, Now, 0, out _));
    }

    [Fact]
    public void Verify_ChallengeSignedWithAnotherSecretUnderAListedKeyId_IsBadSignature()
    {
        var forger = new ChallengeService([new SigningKey("k2", Encoding.UTF8.GetBytes("attacker-guess-attacker-guess-000"))]);
        var proof = Solve(forger.Issue(Room, Visitor, Easy, Now));

        Assert.Equal(ProofOutcome.BadSignature, _sut.Verify(Room, Visitor, proof, Now, 0, out _));
    }

    [Fact]
    public void Verify_ChallengeOfTheOldFirstKey_IsValidWhileTheKeyIsListed_AndRefusedOnceRetired()
    {
        var proof = Solve(new ChallengeService([OldKey]).Issue(Room, Visitor, Easy, Now));

        Assert.Equal(ProofOutcome.Valid, _sut.Verify(Room, Visitor, proof, Now, 0, out _));
        Assert.Equal(ProofOutcome.BadSignature, new ChallengeService([NewKey]).Verify(Room, Visitor, proof, Now, 0, out _));
    }

    [Fact]
    public void Verify_UntilTheLastMillisecondBeforeExpiry_IsValid_AtExpiry_Expired()
    {
        var sut = new ChallengeService([NewKey], TimeSpan.FromSeconds(30));
        var challenge = sut.Issue(Room, Visitor, Easy, Now);
        var proof = Solve(challenge);

        _time.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(ProofOutcome.Valid, sut.Verify(Room, Visitor, proof, Now, 0, out _));

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(challenge.ExpiresAt, Now);
        Assert.Equal(ProofOutcome.Expired, sut.Verify(Room, Visitor, proof, Now, 0, out _));
    }

    [Theory]
    [InlineData(8)]
    [InlineData(10)]
    [InlineData(12)]
    public void Verify_HashWithExactlyTheDifficultysZeroBits_IsValid_OneBitShort_InsufficientWork(int difficulty)
    {
        var atDifficulty = _sut.Issue(Room, Visitor, difficulty, Now);
        var oneHarder = _sut.Issue(Room, Visitor, difficulty + 1, Now);
        var exact = ExactSolution(atDifficulty.Prefix, difficulty);
        var short1 = ExactSolution(oneHarder.Prefix, difficulty);

        Assert.Equal(ProofOutcome.Valid, _sut.Verify(Room, Visitor, ChallengeService.FormatProof(atDifficulty.Prefix, exact), Now, 0, out _));
        Assert.Equal(ProofOutcome.InsufficientWork, _sut.Verify(Room, Visitor, ChallengeService.FormatProof(oneHarder.Prefix, short1), Now, 0, out _));
    }

    [Fact]
    public void Verify_ChallengeEasierThanTheRoomsMinimumNow_IsTooEasy_SolvedOrNot()
    {
        var challenge = _sut.Issue(Room, Visitor, 10, Now);
        var proof = Solve(challenge);
        var unsolved = ChallengeService.FormatProof(challenge.Prefix, Unsolved(challenge.Prefix, 10));

        Assert.Equal(ProofOutcome.Valid, _sut.Verify(Room, Visitor, proof, Now, minimumDifficulty: 10, out _));
        Assert.Equal(ProofOutcome.TooEasy, _sut.Verify(Room, Visitor, proof, Now, minimumDifficulty: 11, out _));
        Assert.Equal(ProofOutcome.TooEasy, _sut.Verify(Room, Visitor, unsolved, Now, minimumDifficulty: 11, out _));
        Assert.Equal(ProofOutcome.InsufficientWork, _sut.Verify(Room, Visitor, unsolved, Now, minimumDifficulty: 10, out _));
    }

    [Fact]
    public void Verify_ChallengeHarderThanTheRoomsMinimumNow_IsValid()
    {
        var proof = Solve(_sut.Issue(Room, Visitor, 10, Now));

        Assert.Equal(ProofOutcome.Valid, _sut.Verify(Room, Visitor, proof, Now, minimumDifficulty: 8, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData(":")]
    [InlineData("no-colon-at-all")]
    [InlineData("{prefix}")]
    [InlineData("{prefix}:")]
    [InlineData("{prefix}:ABC")]
    [InlineData("{prefix}:a-b")]
    [InlineData("{prefix}:0123456789abcdefg")]
    [InlineData("{prefix}:1:2")]
    [InlineData("{prefix}é:1")]
    [InlineData("{prefix}:１")]
    [InlineData("{prefix}\u0000:1")]
    [InlineData("k2..{payload}.{tag}:1")]
    [InlineData("k2.{payload}{tag}:1")]
    [InlineData("k2.{payload}.{tag}.:1")]
    [InlineData("k2.{payload}A.{tag}:1")]
    [InlineData("k2.{payload}.{tag}A:1")]
    [InlineData("k2.{payload}.:1")]
    [InlineData(".{payload}.{tag}:1")]
    [InlineData("k2345678901234567.{payload}.{tag}:1")]
    [InlineData("k2.{payload}.{tag}+:1")]
    [InlineData("k2.{payload}.{tag}=:1")]
    [InlineData("k2.{payload}.{tag} :1")]
    public void Verify_MalformedProof_IsMalformed_NeverAnException(string template)
    {
        var prefix = _sut.Issue(Room, Visitor, Easy, Now).Prefix;
        var parts = prefix.Split('.');
        var proof = template.Replace("{prefix}", prefix, StringComparison.Ordinal)
            .Replace("{payload}", parts[1], StringComparison.Ordinal)
            .Replace("{tag}", parts[2], StringComparison.Ordinal);

        Assert.Equal(ProofOutcome.Malformed, _sut.Verify(Room, Visitor, proof, Now, 0, out var verified));
        Assert.Equal(default, verified);
    }

    [Fact]
    public void Verify_ProofLongerThanTheLimit_IsMalformed_EvenWhenItsPrefixIsGenuine()
    {
        var prefix = _sut.Issue(Room, Visitor, Easy, Now).Prefix;

        Assert.Equal(ProofOutcome.Malformed, _sut.Verify(Room, Visitor, prefix + ":" + new string('0', 100_000), Now, 0, out _));
        Assert.Equal(ProofOutcome.Malformed, _sut.Verify(Room, Visitor, new string('a', ChallengeService.MaxProofLength + 1), Now, 0, out _));
    }

    [Fact]
    public void Verify_RandomGarbageBuiltFromAGenuineProof_NeverThrows_AndIsNeverValid()
    {
        var challenge = _sut.Issue(Room, Visitor, Easy, Now);
        var prefix = challenge.Prefix;
        var proof = Solve(challenge);
        const string Characters = "Aa0_-.:=+/ é\u0000zZ9";
        var random = new Random(16);

        for (var i = 0; i < 20_000; i++)
        {
            var garbage = proof.ToCharArray();
            for (var edits = random.Next(1, 4); edits > 0; edits--)
            {
                garbage[random.Next(garbage.Length)] = Characters[random.Next(Characters.Length)];
            }

            var text = new string(garbage, 0, random.Next(garbage.Length + 1));
            var outcome = _sut.Verify(Room, Visitor, text, Now, 0, out _);

            // An edit of the nonce alone may find another solution (1 in 2^8): valid only with the genuine prefix and the work.
            Assert.True(outcome != ProofOutcome.Valid || (text.StartsWith(prefix + ":", StringComparison.Ordinal) && HasWork(text, Easy)), text);
        }
    }

    [Fact]
    public void ChallengesAndTokens_NeverPassForEachOther_ThoughSignedWithTheSameKeys()
    {
        var tokens = new TokenService([NewKey, OldKey]);
        var challenge = _sut.Issue(Room, Visitor, Easy, Now);
        var token = tokens.Issue(TokenKind.Admission, Room, Visitor, "t", Now.AddMinutes(5));

        Assert.NotEqual(TokenStatus.Valid, tokens.Validate(challenge.Prefix, TokenKind.Admission, Room, Visitor, Now, out _));
        Assert.NotEqual(ProofOutcome.Valid, _sut.Verify(Room, Visitor, token + ":0", Now, 0, out _));
    }

    [Fact]
    public void TheWorkHashed_IsSha256OfTheAsciiHeaderValue_ZeroBitsCountedFromTheFirstBytesHighBit()
    {
        var challenge = _sut.Issue(Room, Visitor, 12, Now);
        var nonce = ExactSolution(challenge.Prefix, 12);

        // Computed here independently of the service, as a client in another language would.
        var hash = SHA256.HashData(Encoding.ASCII.GetBytes(challenge.Prefix + ":" + nonce));
        var bits = string.Concat(hash.Select(b => Convert.ToString(b, 2).PadLeft(8, '0')));

        Assert.Equal(12, bits.IndexOf('1', StringComparison.Ordinal));
        Assert.Equal(ProofOutcome.Valid, _sut.Verify(Room, Visitor, challenge.Prefix + ":" + nonce, Now, 0, out _));
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0, 0, 0, 0, 0, 0, 0, 0 }, 0)]
    [InlineData(new byte[] { 0x00, 0x0F, 0xFF, 0, 0, 0, 0, 0, 0 }, 12)]
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0x01 }, 71)]
    [InlineData(new byte[] { 0, 0, 0 }, 24)]
    [InlineData(new byte[] { 0x00, 0x40 }, 9)]
    public void LeadingZeroBits_CountsFromTheMostSignificantBitOfTheFirstByte(byte[] hash, int expected) =>
        Assert.Equal(expected, ChallengeService.LeadingZeroBits(hash));

    [Fact]
    public void LeadingZeroBits_AllZeroHash_Is256() =>
        Assert.Equal(256, ChallengeService.LeadingZeroBits(new byte[32]));

    [Theory]
    [InlineData(0)]
    [InlineData(33)]
    public void Issue_DifficultyOutOfRange_Throws(int difficulty) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => _sut.Issue(Room, Visitor, difficulty, Now));

    [Theory]
    [InlineData("", Visitor)]
    [InlineData(Room, "")]
    [InlineData(Room, "has space")]
    public void Issue_RoomOrVisitorThatIsNotAnId_Throws(string room, string visitor) =>
        Assert.Throws<ArgumentException>(() => _sut.Issue(room, visitor, Easy, Now));

    [Fact]
    public void ProofSolver_Nonce_IsTheCounterInBase36()
    {
        Assert.Equal(["0", "z", "10", "zz", "1y2p0ij32e8e7"], new[] { 0L, 35, 36, 1295, long.MaxValue }.Select(ProofSolver.Nonce));
    }

    [Fact]
    public async Task ProofSolver_InParallel_FindsAValidProof()
    {
        var challenge = _sut.Issue(Room, Visitor, 12, Now);

        var solution = await ProofSolver.SolveParallelAsync(challenge.Prefix, 12, workers: 2, TestContext.Current.CancellationToken);

        Assert.InRange(solution.ZeroBits, 12, 256);
        Assert.Equal(ProofOutcome.Valid, _sut.Verify(Room, Visitor, ChallengeService.FormatProof(challenge.Prefix, solution.Nonce), Now, 0, out _));
    }

    private static string Solve(Challenge challenge) =>
        ChallengeService.FormatProof(
            challenge.Prefix, ProofSolver.Solve(challenge.Prefix, challenge.Difficulty, cancellationToken: TestContext.Current.CancellationToken).Nonce);

    /// <summary>A nonce whose proof has exactly <paramref name="bits"/> leading zero bits, no more.</summary>
    private static string ExactSolution(string prefix, int bits)
    {
        for (var first = 0L; ; first++)
        {
            var solution = ProofSolver.Solve(prefix, bits, first, TestContext.Current.CancellationToken);
            if (solution.ZeroBits == bits)
            {
                return solution.Nonce;
            }

            first = solution.Counter;
        }
    }

    /// <summary>A nonce whose proof has fewer than <paramref name="bits"/> leading zero bits.</summary>
    private static string Unsolved(string prefix, int bits)
    {
        for (var counter = 0L; ; counter++)
        {
            var nonce = ProofSolver.Nonce(counter);
            if (!HasWork(prefix + ":" + nonce, bits))
            {
                return nonce;
            }
        }
    }

    private static bool HasWork(string proof, int bits) =>
        ChallengeService.LeadingZeroBits(SHA256.HashData(Encoding.ASCII.GetBytes(proof))) >= bits;

    private VerifiedProof Verified(Challenge challenge)
    {
        Assert.Equal(ProofOutcome.Valid, _sut.Verify(Room, Visitor, Solve(challenge), Now, 0, out var verified));
        return verified;
    }
}
