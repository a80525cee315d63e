using YarpWaitingRoom.Scheduling;

namespace YarpWaitingRoom.Tests.Scheduling;

/// <summary>
/// The draw rule against a known vector: the expected values were computed outside .NET (Python's hashlib) from the rule
/// as published, so the implementation cannot agree with itself by mistake.
/// </summary>
public sealed class LotteryDrawTests
{
    private const string Seed = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    private static readonly string[] Receipts = ["K7Q2M9X4T1AB", "B3N8P5R2W6CD", "Z9Y8X7W6V5EF", "M4H6J8K2L1GH"];

    [Fact]
    public void Commitment_IsTheSha256OfTheSeedsHexString()
    {
        Assert.Equal("6c86c6aac5fb24bcf5d9939cb7d7d5645ce39418f449e03b262dd4fa14b4b92b", LotteryDraw.Commitment(Seed));
    }

    [Fact]
    public void Digest_IsTheSha256OfTheSortedReceiptsJoinedByNewlines_WhateverTheirOrder()
    {
        const string expected = "ab867a5d034d0db0d7d97095760eacc237e49ad92ae178f5137cead3d081acb5";

        Assert.Equal(expected, LotteryDraw.Digest(Receipts));
        Assert.Equal(expected, LotteryDraw.Digest(Receipts.Reverse()));
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", LotteryDraw.Digest([]));
    }

    [Fact]
    public void Order_GoesByEachReceiptsKey_Ascending()
    {
        var digest = LotteryDraw.Digest(Receipts);

        var order = LotteryDraw.Order(Seed, Receipts);

        Assert.Equal(["M4H6J8K2L1GH", "Z9Y8X7W6V5EF", "K7Q2M9X4T1AB", "B3N8P5R2W6CD"], order);
        Assert.Equal("040eb91eb041c2bd1d3a711ec69ce0f3a441bd0aaca535044ff789109dcba8a2", LotteryDraw.Key(Seed, digest, "M4H6J8K2L1GH"));
        Assert.Equal("ca7d75061eb1fb2eb2283800ff4ab2f8f4fe880c608f7d24e8c491613d4f9a62", LotteryDraw.Key(Seed, digest, "B3N8P5R2W6CD"));
    }

    [Fact]
    public void Order_DependsOnTheParticipants_NotOnTheOrderTheyArrived()
    {
        var arrived = LotteryDraw.Order(Seed, Receipts);
        var shuffled = LotteryDraw.Order(Seed, [.. Receipts.Reverse()]);
        var oneMore = LotteryDraw.Order(Seed, [.. Receipts, "Q1W2E3R4T5YU"]);

        Assert.Equal(arrived, shuffled);
        // One more participant changes the digest, hence every key: the four are drawn afresh (here two swap places).
        Assert.Equal(["M4H6J8K2L1GH", "Z9Y8X7W6V5EF", "B3N8P5R2W6CD", "K7Q2M9X4T1AB"], oneMore.Where(r => r != "Q1W2E3R4T5YU"));
    }

    [Fact]
    public void Opens_TheCommitmentOnlyWithItsOwnSeed()
    {
        var seed = LotteryDraw.NewSeed();
        var commitment = LotteryDraw.Commitment(seed);

        Assert.True(LotteryDraw.Opens(commitment, seed));
        Assert.False(LotteryDraw.Opens(commitment, LotteryDraw.NewSeed()));
        Assert.False(LotteryDraw.Opens(commitment, seed.ToUpperInvariant()));
        Assert.False(LotteryDraw.Opens(commitment, "not a seed"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("00")]
    [InlineData("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F")]
    [InlineData("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1g")]
    public void Commitment_OfAnythingButA32ByteLowercaseHexSeed_IsRefused(string seed)
    {
        Assert.Throws<ArgumentException>(() => LotteryDraw.Commitment(seed));
    }
}
