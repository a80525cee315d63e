using YarpWaitingRoom.Invitations;

namespace YarpWaitingRoom.Tests.Invitations;

public sealed class InvitationKeysTests
{
    [Theory]
    [MemberData(nameof(InvitationVectors.All), MemberType = typeof(InvitationVectors))]
    public void Sign_FixedInputs_GiveTheFixedKey(string secret, string room, string member, long expiry, string key) =>
        Assert.Equal(key, InvitationKeys.Sign(secret, room, member, DateTimeOffset.FromUnixTimeSeconds(expiry)));

    [Fact]
    public void Sign_TruncatesTheExpiryToTheSecond()
    {
        var key = InvitationKeys.Sign(InvitationVectors.Secret, InvitationVectors.Room, InvitationVectors.Member, InvitationVectors.ExpiresAt.AddMilliseconds(999));

        Assert.Equal(InvitationVectors.Key, key);
    }

    [Fact]
    public void Sign_TheLongestFields_GiveAKeyOfTheLongestLength()
    {
        var key = InvitationKeys.Sign(InvitationVectors.Secret, new string('r', 64), new string('m', 64), DateTimeOffset.MaxValue);

        Assert.Equal(InvitationKeys.MaxKeyLength, key.Length);
    }

    [Fact]
    public void Sign_UsesOnlyUrlSafeCharacters()
    {
        var key = InvitationKeys.Sign(InvitationVectors.Secret, "a-b", "A_b-9", InvitationVectors.ExpiresAt);

        Assert.Equal(key, Uri.EscapeDataString(key));
    }

    [Theory]
    [InlineData("")]
    [InlineData("0123456789012345678901234567890")] // 31 characters
    [InlineData("0123456789012345678901234567890 1")] // a space
    [InlineData("0123456789012345678901234567890é1")] // not ASCII
    [InlineData("0123456789012345678901234567890\n1")]
    public void Sign_WithASecretOutsideTheRule_Throws(string secret) =>
        Assert.Throws<ArgumentException>(() => InvitationKeys.Sign(secret, "concert", "fan", InvitationVectors.ExpiresAt));

    [Theory]
    [InlineData("")]
    [InlineData("Concert")]
    [InlineData("con.cert")]
    [InlineData("con_cert")]
    [InlineData("rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr")] // 65
    public void Sign_WithARoomOutsideTheRule_Throws(string room) =>
        Assert.Throws<ArgumentException>(() => InvitationKeys.Sign(InvitationVectors.Secret, room, "fan", InvitationVectors.ExpiresAt));

    [Theory]
    [InlineData("")]
    [InlineData("fan.1")]
    [InlineData("fan 1")]
    [InlineData("fan:1")]
    [InlineData("팬1")]
    [InlineData("mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm")] // 65
    public void Sign_WithAMemberOutsideTheRule_Throws(string member) =>
        Assert.Throws<ArgumentException>(() => InvitationKeys.Sign(InvitationVectors.Secret, "concert", member, InvitationVectors.ExpiresAt));

    [Fact]
    public void Sign_WithAnExpiryBeforeTheEpoch_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => InvitationKeys.Sign(InvitationVectors.Secret, "concert", "fan", DateTimeOffset.UnixEpoch.AddSeconds(-1)));

    [Fact]
    public void Sign_WithNulls_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => InvitationKeys.Sign(null!, "concert", "fan", InvitationVectors.ExpiresAt));
        Assert.Throws<ArgumentNullException>(() => InvitationKeys.Sign(InvitationVectors.Secret, null!, "fan", InvitationVectors.ExpiresAt));
        Assert.Throws<ArgumentNullException>(() => InvitationKeys.Sign(InvitationVectors.Secret, "concert", null!, InvitationVectors.ExpiresAt));
    }
}
