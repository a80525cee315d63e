using YarpWaitingRoom.Scheduling;

namespace YarpWaitingRoom.Tests.Scheduling;

public sealed class ReceiptsTests
{
    [Fact]
    public void New_IsTwelveCharactersOfCrockfordsBase32_AndDiffersEachTime()
    {
        var receipts = Enumerable.Range(0, 10_000).Select(_ => Receipts.New()).ToList();

        Assert.All(receipts, r => Assert.Matches("^[0-9A-HJKMNP-TV-Z]{12}$", r));
        Assert.All(receipts, r => Assert.True(Receipts.IsValid(r)));
        Assert.Equal(receipts.Count, receipts.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData("")]
    [InlineData("0123456789A")]
    [InlineData("0123456789ABC")]
    [InlineData("0123456789AI")]
    [InlineData("0123456789Ab")]
    [InlineData("0123456789A ")]
    public void IsValid_RefusesAnythingElse(string receipt)
    {
        Assert.False(Receipts.IsValid(receipt));
    }
}
