using System.Text;
using YarpWaitingRoom.Tokens;

namespace YarpWaitingRoom.Tests.Tokens;

public sealed class TokenServiceTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private static readonly SigningKey OldKey = new("k1", Encoding.UTF8.GetBytes("old-secret-old-secret-old-secret-0"));
    private static readonly SigningKey NewKey = new("k2", Encoding.UTF8.GetBytes("new-secret-new-secret-new-secret-0"));

    private readonly TokenService _sut = new([NewKey, OldKey]);

    [Fact]
    public void IssuedToken_ValidatesWithItsClaims()
    {
        var token = _sut.Issue(TokenKind.Ticket, "concert", "visitor-1", "ticket-1", Now.AddMinutes(5));

        var status = _sut.Validate(token, TokenKind.Ticket, "concert", "visitor-1", Now, out var claims);

        Assert.Equal(TokenStatus.Valid, status);
        Assert.Equal(new TokenClaims(TokenKind.Ticket, "concert", "visitor-1", "ticket-1", Now.AddMinutes(5)), claims);
        Assert.StartsWith("k2.", token, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/seats?row=1|2&x=%7C")]
    public void TokenWithAReturnUrl_CarriesIt_EvenWithSeparatorsInIt(string returnUrl)
    {
        var token = _sut.Issue(TokenKind.EntryCode, "concert", "visitor-1", "visitor-1.42", Now.AddMinutes(5), returnUrl);

        var status = _sut.Validate(token, TokenKind.EntryCode, "concert", "visitor-1", Now, out var claims);

        Assert.Equal(TokenStatus.Valid, status);
        Assert.Equal(new TokenClaims(TokenKind.EntryCode, "concert", "visitor-1", "visitor-1.42", Now.AddMinutes(5), returnUrl), claims);
    }

    [Fact]
    public void TokenWithTheLongestLocalReturnUrl_FitsUnderTheLengthLimit()
    {
        var returnUrl = "/" + new string('a', YarpWaitingRoom.Queue.LocalUrls.MaxLength - 1);
        var token = _sut.Issue(TokenKind.Ticket, new string('r', 128), new string('v', 128), new string('t', 128), Now.AddMinutes(5), returnUrl);

        Assert.InRange(token.Length, 1, TokenService.MaxTokenLength);
        Assert.Equal(TokenStatus.Valid, _sut.Validate(token, TokenKind.Ticket, null, null, Now, out var claims));
        Assert.Equal(returnUrl, claims!.ReturnUrl);
    }

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("//evil.example")]
    [InlineData("")]
    public void Issue_WithAReturnUrlThatIsNotLocal_Throws(string returnUrl) =>
        Assert.Throws<ArgumentException>(() => _sut.Issue(TokenKind.Ticket, "concert", "v", "t", Now.AddMinutes(5), returnUrl));

    [Fact]
    public void TokenSignedWithOlderListedKey_StillValidates_AfterRotation()
    {
        var beforeRotation = new TokenService([OldKey]).Issue(TokenKind.Admission, "concert", "v", "t", Now.AddMinutes(5));

        Assert.Equal(TokenStatus.Valid, _sut.Validate(beforeRotation, TokenKind.Admission, "concert", "v", Now, out _));
    }

    [Fact]
    public void TokenOfRetiredKey_IsRefusedAsUnknownKey()
    {
        var retired = new TokenService([new SigningKey("k0", new byte[32])]).Issue(TokenKind.Admission, "concert", "v", "t", Now.AddMinutes(5));

        Assert.Equal(TokenStatus.UnknownKey, _sut.Validate(retired, TokenKind.Admission, "concert", "v", Now, out _));
    }

    [Fact]
    public void TokenSignedWithAnotherSecretUnderAKnownKeyId_IsRefusedAsBadSignature()
    {
        var forged = new TokenService([new SigningKey("k2", Encoding.UTF8.GetBytes("attacker-guess-attacker-guess-000"))])
            .Issue(TokenKind.Admission, "concert", "v", "t", Now.AddDays(365));

        Assert.Equal(TokenStatus.BadSignature, _sut.Validate(forged, TokenKind.Admission, "concert", "v", Now, out _));
    }

    [Fact]
    public void TamperedPayload_IsRefusedAsBadSignature()
    {
        var token = _sut.Issue(TokenKind.Admission, "concert", "v", "t", Now.AddMinutes(5));
        var parts = token.Split('.');
        var longer = System.Buffers.Text.Base64Url.EncodeToString(Encoding.ASCII.GetBytes($"a|concert|v|t|{Now.AddYears(5).ToUnixTimeSeconds()}"));

        Assert.Equal(TokenStatus.BadSignature, _sut.Validate($"{parts[0]}.{longer}.{parts[2]}", TokenKind.Admission, "concert", "v", Now, out _));
    }

    [Theory]
    [InlineData(nameof(TokenKind.EntryCode), "concert", "v", nameof(TokenStatus.WrongKind))]
    [InlineData(nameof(TokenKind.Admission), "other-room", "v", nameof(TokenStatus.WrongRoom))]
    [InlineData(nameof(TokenKind.Admission), "concert", "someone-else", nameof(TokenStatus.WrongVisitor))]
    public void GenuineTokenUsedOutOfPlace_IsRefused(string kindName, string room, string visitor, string expectedName)
    {
        var kind = Enum.Parse<TokenKind>(kindName);
        var expected = Enum.Parse<TokenStatus>(expectedName);
        var token = _sut.Issue(TokenKind.Admission, "concert", "v", "t", Now.AddMinutes(5));

        Assert.Equal(expected, _sut.Validate(token, kind, room, visitor, Now, out var claims));
        Assert.Null(claims);
    }

    [Theory]
    [InlineData(nameof(TokenKind.Admission))]
    [InlineData(nameof(TokenKind.EntryCode))]
    public void TokenThatGrantsEntry_CheckedWithoutThePresentingVisitor_IsWrongVisitor(string kindName)
    {
        var kind = Enum.Parse<TokenKind>(kindName);
        var token = _sut.Issue(kind, "concert", "v", "t", Now.AddMinutes(5));

        Assert.Equal(TokenStatus.WrongVisitor, _sut.Validate(token, kind, "concert", visitor: null, Now, out var claims));
        Assert.Null(claims);
        Assert.Equal(TokenStatus.Valid, _sut.Validate(token, kind, "concert", "v", Now, out _));
    }

    [Theory]
    [InlineData(nameof(TokenKind.Ticket))]
    [InlineData(nameof(TokenKind.Visitor))]
    public void TokenThatGrantsNoEntry_CheckedWithoutAVisitor_IsValid(string kindName)
    {
        var kind = Enum.Parse<TokenKind>(kindName);
        var token = _sut.Issue(kind, "concert", "v", "t", Now.AddMinutes(5));

        Assert.Equal(TokenStatus.Valid, _sut.Validate(token, kind, "concert", visitor: null, Now, out var claims));
        Assert.Equal("v", claims!.Visitor);
    }

    [Fact]
    public void ExpiredToken_IsRefused_AtItsExpiryInstant()
    {
        var token = _sut.Issue(TokenKind.EntryCode, "concert", "v", "t", Now.AddSeconds(60));

        Assert.Equal(TokenStatus.Valid, _sut.Validate(token, TokenKind.EntryCode, "concert", "v", Now.AddSeconds(59), out _));
        Assert.Equal(TokenStatus.Expired, _sut.Validate(token, TokenKind.EntryCode, "concert", "v", Now.AddSeconds(60), out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("no-dots")]
    [InlineData("k2.onlyonedot")]
    [InlineData("k2..")]
    [InlineData(".payload.sig")]
    [InlineData("k2.a.b.c")]
    [InlineData("k2.!!!!.AAAA")]
    [InlineData("k2.cGF5bG9hZA.short")]
    public void MalformedToken_IsRefused(string token) =>
        Assert.Equal(TokenStatus.Malformed, _sut.Validate(token, TokenKind.Ticket, null, null, Now, out _));

    [Fact]
    public void OversizedToken_IsRefusedBeforeAnyWork() =>
        Assert.Equal(TokenStatus.Malformed, _sut.Validate(new string('a', TokenService.MaxTokenLength + 1), TokenKind.Ticket, null, null, Now, out _));

    [Fact]
    public void ValidSignatureOverGarbagePayload_IsMalformed()
    {
        // Only the key holder could produce this; it must still not crash the parser.
        var payload = System.Buffers.Text.Base64Url.EncodeToString(Encoding.ASCII.GetBytes("x|only|three"));
        var signed = "k2." + payload;
        var signature = System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes("new-secret-new-secret-new-secret-0"), Encoding.ASCII.GetBytes(signed));

        Assert.Equal(TokenStatus.Malformed, _sut.Validate(signed + "." + System.Buffers.Text.Base64Url.EncodeToString(signature), TokenKind.Ticket, null, null, Now, out _));
    }

    [Theory]
    [InlineData("has|pipe")]
    [InlineData("has space")]
    [InlineData("has.dot.is.fine.but|not-pipe")]
    public void Issue_FieldThatCouldBreakTheFormat_Throws(string visitor) =>
        Assert.Throws<ArgumentException>(() => _sut.Issue(TokenKind.Ticket, "concert", visitor, "t", Now));

    [Fact]
    public void SigningKey_ShortSecret_Throws() =>
        Assert.Throws<ArgumentException>(() => new SigningKey("k", new byte[16]));

    [Fact]
    public void VerifiedCache_StillChecksKindRoomVisitorAndExpiry_OnEveryCall()
    {
        var sut = new TokenService([NewKey], verifiedCacheCapacity: 10);
        var token = sut.Issue(TokenKind.Admission, "concert", "v1", "t1", Now.AddMinutes(1));
        Assert.Equal(TokenStatus.Valid, sut.Validate(token, TokenKind.Admission, "concert", "v1", Now, out _));

        Assert.Equal(TokenStatus.Valid, sut.Validate(token, TokenKind.Admission, "concert", "v1", Now, out var claims));
        Assert.Equal("t1", claims!.Ticket);
        Assert.Equal(TokenStatus.WrongKind, sut.Validate(token, TokenKind.Ticket, "concert", "v1", Now, out _));
        Assert.Equal(TokenStatus.WrongRoom, sut.Validate(token, TokenKind.Admission, "other", "v1", Now, out _));
        Assert.Equal(TokenStatus.WrongVisitor, sut.Validate(token, TokenKind.Admission, "concert", "v2", Now, out _));
        Assert.Equal(TokenStatus.Expired, sut.Validate(token, TokenKind.Admission, "concert", "v1", Now.AddMinutes(2), out claims));
        Assert.Null(claims);
    }

    [Fact]
    public void VerifiedCache_NeverRemembersAForgery_AndSurvivesFillingUp()
    {
        var sut = new TokenService([NewKey], verifiedCacheCapacity: 3);
        var forger = new TokenService([new SigningKey("k2", Encoding.UTF8.GetBytes("not-the-secret-not-the-secret-000"))]);
        var forged = forger.Issue(TokenKind.Admission, "concert", "v1", "t1", Now.AddMinutes(1));
        Assert.Equal(TokenStatus.BadSignature, sut.Validate(forged, TokenKind.Admission, "concert", "v1", Now, out _));
        Assert.Equal(TokenStatus.BadSignature, sut.Validate(forged, TokenKind.Admission, "concert", "v1", Now, out _));

        var tokens = Enumerable.Range(0, 10).Select(i => sut.Issue(TokenKind.Visitor, string.Empty, $"v{i}", string.Empty, Now.AddDays(1))).ToList();
        foreach (var token in tokens.Concat(tokens))
        {
            Assert.Equal(TokenStatus.Valid, sut.Validate(token, TokenKind.Visitor, string.Empty, null, Now, out _));
        }
    }

    [Fact]
    public void VerifiedCache_EveryVisitorNew_NeverHoldsMoreThanItsCapacity()
    {
        // A soak: ever-new visitors, each with its own cookies, for far longer than the cache is large.
        var sut = new TokenService([NewKey], verifiedCacheCapacity: 100);
        var most = 0;

        for (var i = 0; i < 10_000; i++)
        {
            var token = sut.Issue(TokenKind.Visitor, string.Empty, $"v{i}", string.Empty, Now.AddDays(30));
            Assert.Equal(TokenStatus.Valid, sut.Validate(token, TokenKind.Visitor, string.Empty, null, Now, out _));
            most = Math.Max(most, sut.VerifiedCount);
        }

        Assert.Equal(100, most);
    }

    [Fact]
    public void VerifiedCache_OnlyRemembersTheKindsItIsGiven()
    {
        var sut = new TokenService([NewKey], verifiedCacheCapacity: 10, verifiedCacheKinds: [TokenKind.Visitor, TokenKind.Admission]);
        var code = sut.Issue(TokenKind.EntryCode, "concert", "v1", "t1", Now.AddMinutes(1));
        var ticket = sut.Issue(TokenKind.Ticket, "concert", "v1", "t1", Now.AddHours(12));

        Assert.Equal(TokenStatus.Valid, sut.Validate(code, TokenKind.EntryCode, "concert", "v1", Now, out _));
        Assert.Equal(TokenStatus.Valid, sut.Validate(ticket, TokenKind.Ticket, "concert", null, Now, out _));
        Assert.Equal(0, sut.VerifiedCount);

        Assert.Equal(TokenStatus.Valid, sut.Validate(sut.Issue(TokenKind.Admission, "concert", "v1", "t1", Now.AddMinutes(10)), TokenKind.Admission, "concert", "v1", Now, out _));
        Assert.Equal(TokenStatus.Valid, sut.Validate(sut.Issue(TokenKind.Visitor, string.Empty, "v1", string.Empty, Now.AddDays(30)), TokenKind.Visitor, string.Empty, null, Now, out _));
        Assert.Equal(2, sut.VerifiedCount);
    }

    [Fact]
    public void VerifiedCache_NoCapacity_RemembersNothing()
    {
        var token = _sut.Issue(TokenKind.Visitor, string.Empty, "v1", string.Empty, Now.AddDays(30));

        Assert.Equal(TokenStatus.Valid, _sut.Validate(token, TokenKind.Visitor, string.Empty, null, Now, out _));

        Assert.Equal(0, _sut.VerifiedCount);
        Assert.Equal(0, _sut.VerifiedCapacity);
    }
}
