using YarpWaitingRoom.Scheduling;

namespace YarpWaitingRoom.Tests.Scheduling;

public sealed class ReceiptsTests
{
    private static readonly ulong[] Key = Receipts.ParseKey("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

    [Fact]
    public void Of_IsTwelveCharactersOfCrockfordsBase32_AndUniquePerArrival()
    {
        var receipts = Enumerable.Range(1, 200_000).Select(i => Receipts.Of(Key, i)).ToList();

        Assert.All(receipts.Take(1000), r => Assert.Matches("^[0-9A-HJKMNP-TV-Z]{12}$", r));
        Assert.All(receipts.Take(1000), r => Assert.True(Receipts.IsValid(r)));
        Assert.Equal(receipts.Count, receipts.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Of_DoesNotFollowArrivalOrder_AndDependsOnTheKey()
    {
        var other = Receipts.ParseKey(Receipts.NewKey());
        var receipts = Enumerable.Range(1, 1000).Select(i => Receipts.Of(Key, i)).ToList();

        // Arrivals in order give receipts in no particular order: about half the neighbours go down.
        var descents = receipts.Zip(receipts.Skip(1)).Count(p => string.CompareOrdinal(p.First, p.Second) > 0);
        Assert.InRange(descents, 400, 600);
        Assert.NotEqual(Receipts.Of(Key, 1), Receipts.Of(other, 1));
        Assert.Equal(Receipts.Of(Key, 1), Receipts.Of(Key, 1));
    }

    [Fact]
    public void Format_SpellsTheNumberMostSignificantFirst_SoReceiptsSortAsTheirNumbers()
    {
        Assert.Equal("000000000000", Receipts.Format(0));
        Assert.Equal("00000000001Z", Receipts.Format(63));
        Assert.Equal("ZZZZZZZZZZZZ", Receipts.Format((1UL << 60) - 1));
        var numbers = Enumerable.Range(1, 1000).Select(i => Receipts.Number(Key, i)).ToList();
        Assert.Equal(
            numbers.Order().Select(Receipts.Format),
            numbers.Select(Receipts.Format).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ParseKey_RefusesAKeyOfTheWrongLength()
    {
        Assert.Throws<ArgumentException>(() => Receipts.ParseKey("0011"));
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
