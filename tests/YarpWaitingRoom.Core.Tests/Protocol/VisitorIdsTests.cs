using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Tokens;

namespace YarpWaitingRoom.Tests.Protocol;

public sealed class VisitorIdsTests
{
    [Theory]
    [InlineData("v1")]
    [InlineData("A-b_c.d:e")]
    public void IsValid_IdsOfTheAlphabet_AreAccepted(string id)
    {
        Assert.True(VisitorIds.IsValid(id));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("with space")]
    [InlineData("pipe|")]
    [InlineData("comma,")]
    [InlineData("한글")]
    [InlineData("new\nline")]
    public void IsValid_AnythingElse_IsRefused(string? id) => Assert.False(VisitorIds.IsValid(id));

    [Fact]
    public void IsValid_RefusesOneCharacterPastMaxLength()
    {
        Assert.True(VisitorIds.IsValid(new string('a', VisitorIds.MaxLength)));
        Assert.False(VisitorIds.IsValid(new string('a', VisitorIds.MaxLength + 1)));
    }

    [Fact]
    public void TokenService_IssuesForExactlyTheIdsTheRuleAccepts()
    {
        var tokens = new TokenService([new SigningKey("k1", new byte[32])]);
        var expires = DateTimeOffset.UtcNow.AddMinutes(1);

        tokens.Issue(TokenKind.Visitor, string.Empty, new string('a', VisitorIds.MaxLength), string.Empty, expires);
        Assert.Throws<ArgumentException>(() => tokens.Issue(TokenKind.Visitor, string.Empty, new string('a', VisitorIds.MaxLength + 1), string.Empty, expires));
        Assert.Throws<ArgumentException>(() => tokens.Issue(TokenKind.Visitor, string.Empty, "a|b", string.Empty, expires));
    }
}
