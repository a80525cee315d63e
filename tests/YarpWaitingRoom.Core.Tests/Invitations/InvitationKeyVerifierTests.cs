using YarpWaitingRoom.Invitations;
using static YarpWaitingRoom.Tests.Invitations.InvitationVectors;

namespace YarpWaitingRoom.Tests.Invitations;

public sealed class InvitationKeyVerifierTests
{
    private const string NewSecret = "rotated-secret-rotated-secret-0123456789";

    private readonly InvitationKeyVerifier _sut = new(Room, [Secret]);

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(InvitationVectors))]
    public void Verify_AFixedKey_IsValid_WithItsMember(string secret, string room, string member, long expiry, string key)
    {
        var sut = new InvitationKeyVerifier(room, [secret]);

        var status = sut.Verify(key, DateTimeOffset.FromUnixTimeSeconds(expiry).AddSeconds(-1), out var verified);

        Assert.Equal(InvitationKeyStatus.Valid, status);
        Assert.Equal(member, verified);
    }

    [Fact]
    public void Verify_TheLastMomentBeforeTheExpiry_IsValid()
    {
        Assert.Equal(InvitationKeyStatus.Valid, _sut.Verify(Key, ExpiresAt.AddSeconds(-1), out _));
        Assert.Equal(InvitationKeyStatus.Valid, _sut.Verify(Key, ExpiresAt.AddMilliseconds(-1), out _));
    }

    [Fact]
    public void Verify_FromTheExpirySecondOn_IsExpired_WithoutAMember()
    {
        Assert.Equal(InvitationKeyStatus.Expired, _sut.Verify(Key, ExpiresAt, out var member));
        Assert.Null(member);
        Assert.Equal(InvitationKeyStatus.Expired, _sut.Verify(Key, ExpiresAt.AddSeconds(1), out _));
        Assert.Equal(InvitationKeyStatus.Expired, _sut.Verify(Key, ExpiresAt.AddYears(1), out _));
    }

    [Fact]
    public void Verify_AKeySignedWithAnySecretOfTheRoom_IsValid_SoTheSecretCanRotate()
    {
        var sut = new InvitationKeyVerifier(Room, [NewSecret, Secret]);
        var signedWithTheNewSecret = InvitationKeys.Sign(NewSecret, Room, "fan-7", ExpiresAt);

        Assert.Equal(InvitationKeyStatus.Valid, sut.Verify(Key, Now, out var before));
        Assert.Equal(InvitationKeyStatus.Valid, sut.Verify(signedWithTheNewSecret, Now, out var after));
        Assert.Equal((Member, "fan-7"), (before, after));
    }

    [Fact]
    public void Verify_AKeySignedWithARetiredSecret_IsABadSignature()
    {
        var sut = new InvitationKeyVerifier(Room, [NewSecret]);

        Assert.Equal(InvitationKeyStatus.BadSignature, sut.Verify(Key, Now, out var member));
        Assert.Null(member);
    }

    [Fact]
    public void Verify_AnotherRoomsKey_IsWrongRoom_WhateverItsSecret()
    {
        var otherRoomsOwnSecret = InvitationKeys.Sign(OtherSecret, "other-presale", Member, ExpiresAt);
        var sameSecret = InvitationKeys.Sign(Secret, "other-presale", Member, ExpiresAt);

        Assert.Equal(InvitationKeyStatus.WrongRoom, _sut.Verify(otherRoomsOwnSecret, Now, out _));
        Assert.Equal(InvitationKeyStatus.WrongRoom, _sut.Verify(sameSecret, Now, out _));
    }

    [Fact]
    public void Verify_TamperedRoom_IsWrongRoom()
    {
        var tampered = Key.Replace("v1.concert.", "v1.concerts.", StringComparison.Ordinal);

        Assert.Equal(InvitationKeyStatus.WrongRoom, _sut.Verify(tampered, Now, out _));
    }

    [Theory]
    [InlineData("fan-00042", "fan-00043")] // another member
    [InlineData("fan-00042", "Fan-00042")]
    [InlineData("fan-00042", "fan-000420")]
    [InlineData("1798761600", "1798761601")] // a later expiry
    [InlineData("1798761600", "2798761600")]
    [InlineData("oa4HMn8im", "oa4HMn8iM")] // the MAC itself
    [InlineData("c2ozN7sTjw", "c2ozN7sTjA")]
    public void Verify_TamperedMemberExpiryOrMac_IsABadSignature(string field, string tamperedField)
    {
        var tampered = Key.Replace(field, tamperedField, StringComparison.Ordinal);
        Assert.NotEqual(Key, tampered);

        Assert.Equal(InvitationKeyStatus.BadSignature, _sut.Verify(tampered, Now, out var member));
        Assert.Null(member);
    }

    [Fact]
    public void Verify_AMacSpelledDifferently_ForTheSameBytes_IsABadSignature_SoAKeyHasOneSpelling()
    {
        // 43 base64url characters carry 258 bits for 256: the last character's two low bits are not data, so these
        // spellings decode to the same MAC. Only the canonical one is the key.
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var last = Alphabet.IndexOf(Key[^1], StringComparison.Ordinal);
        for (var bits = 1; bits < 4; bits++)
        {
            var variant = Key[..^1] + Alphabet[last ^ bits];
            Assert.Equal(
                Convert.FromBase64String(Key[(Key.LastIndexOf('.') + 1)..].Replace('-', '+').Replace('_', '/') + "="),
                Convert.FromBase64String(variant[(variant.LastIndexOf('.') + 1)..].Replace('-', '+').Replace('_', '/') + "="));

            Assert.Equal(InvitationKeyStatus.BadSignature, _sut.Verify(variant, Now, out _));
        }
    }

    [Theory]
    [InlineData("v2.concert.fan-00042.1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw")]
    [InlineData("v10.anything")]
    [InlineData("v999")]
    public void Verify_AnotherVersion_IsUnsupportedVersion(string key) =>
        Assert.Equal(InvitationKeyStatus.UnsupportedVersion, _sut.Verify(key, Now, out _));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Verify_NoKey_IsMissing(string? key) =>
        Assert.Equal(InvitationKeyStatus.Missing, _sut.Verify(key, Now, out _));

    public static TheoryData<string> Hostile => new()
    {
        // versions that are not one
        "V1.concert.fan-00042.1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1x.concert.fan-00042.1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v.concert.fan-00042.1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v10000.concert",
        ".concert.fan-00042.1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1",
        "v1.",
        ".",
        "....",
        "v1....",
        // empty or missing fields
        "v1..fan-00042.1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1.concert..1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1.concert.fan-00042..oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1.concert.fan-00042.1798761600.",
        "v1.concert.fan-00042.1798761600",
        "v1.concert.fan-00042.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        // extra dots
        "v1.concert.fan-00042.1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw.",
        "v1.concert.fan-00042.1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw.x",
        "v1.concert.fan.00042.1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1.con.cert.fan-00042.1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1.concert.fan-00042.1798761600.0.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1..concert.fan-00042.1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        // fields outside their rule
        "v1.Concert.fan-00042.1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1.con_cert.fan-00042.1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1.concert.fan:00042.1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1.concert.fan 00042.1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1.concert.fan%2D00042.1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1.concert.fan-00042.01798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1.concert.fan-00042.+1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1.concert.fan-00042.-1.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1.concert.fan-00042. 1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1.concert.fan-00042.1798761600 .oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1.concert.fan-00042.1.5.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1.concert.fan-00042.1e9.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1.concert.fan-00042.0x6B3.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1.concert.fan-00042.253402300800.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1.concert.fan-00042.9999999999999.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1.concert.fan-00042.99999999999999999999999.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        // bad base64url
        "v1.concert.fan-00042.1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw=",
        "v1.concert.fan-00042.1798761600.oa4HMn8im/mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1.concert.fan-00042.1798761600.oa4HMn8im+mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1.concert.fan-00042.1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTj",
        "v1.concert.fan-00042.1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjwA",
        "v1.concert.fan-00042.1798761600.oa4HMn8im mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1.concert.fan-00042.1798761600.oa4HMn8im%5FmR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1.concert.fan-00042.1798761600.%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%",
        // not ASCII: accented, Hangul, full-width and Arabic-Indic digits, a lookalike dot, control and surrogate characters
        "v1.concert.fän-00042.1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1.concert.팬-00042.1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1.concert.fan-00042.１７９８７６１６００.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1.concert.fan-00042.١٧٩٨٧٦١٦٠٠.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1.concert．fan-00042.1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1.concert.fan-00042\0.1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1.concert.fan-00042.1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTj\u00e9",
        "v1.concert.\ud83c\udfab.1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1.concert.\ud83c.1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1.concert.fan-00042.1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTj\udc00",
        // whitespace around a pasted key is the caller's to trim, not the format's
        " v1.concert.fan-00042.1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1.concert.fan-00042.1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw\n",
        // too long
        "v1." + new string('a', 1_000_000),
        new string('v', 1_000_000),
        new string('.', 1_000_000),
        "v1.concert." + new string('m', 65) + ".1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
        "v1." + new string('r', 65) + ".fan.1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Verify_HostileInput_IsMalformed_WithoutThrowing(string key)
    {
        Assert.Equal(InvitationKeyStatus.Malformed, _sut.Verify(key, Now, out var member));
        Assert.Null(member);
    }

    [Fact]
    public void Verify_HostileInputAndForgeries_AllocateNothing()
    {
        string[] keys =
        [
            "v1." + new string('a', 100_000),
            "v1.concert.fan-00042.1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjA",
            "v1.other.fan-00042.1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw",
            "v1.concert.fan-00042.1798761600.%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%",
            "v2.concert",
            "v1x.concert",
            "",
        ];
        var sut = new InvitationKeyVerifier(Room, [NewSecret, Secret]);
        for (var i = 0; i < 200; i++)
        {
            foreach (var key in keys)
            {
                sut.Verify(key, Now, out _); // warm up
            }
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            foreach (var key in keys)
            {
                sut.Verify(key, Now, out _);
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Verify_AValidKey_AllocatesOnlyItsMemberId()
    {
        _sut.Verify(Key, Now, out _); // warm up
        var before = GC.GetAllocatedBytesForCurrentThread();

        _sut.Verify(Key, Now, out var member);

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(Member, member);
        Assert.InRange(allocated, 1, 24 + (2 * Member.Length) + 8);
    }

    [Fact]
    public void New_WithoutASecret_OrWithAShortOne_OrForABadRoomName_Throws()
    {
        Assert.Throws<ArgumentException>(() => new InvitationKeyVerifier(Room, []));
        Assert.Throws<ArgumentException>(() => new InvitationKeyVerifier(Room, [Secret, "short"]));
        Assert.Throws<ArgumentException>(() => new InvitationKeyVerifier("Not.A.Room", [Secret]));
        Assert.Throws<ArgumentNullException>(() => new InvitationKeyVerifier(Room, null!));
    }
}
