using YarpWaitingRoom.Bench.Scale;

namespace YarpWaitingRoom.Bench.Tests.Scale;

public sealed class ReceiptBurstTests
{
    [Fact]
    public void Split_GapsWiderThanTheThreshold_SeparateTheBursts()
    {
        long[] receipts = [100, 105, 130, 1_000, 1_010, 5_000];

        var sut = ReceiptBurst.Split(receipts, gap: 500);

        Assert.Equal([new ReceiptBurst(100, 130, 3), new ReceiptBurst(1_000, 1_010, 2), new ReceiptBurst(5_000, 5_000, 1)], sut);
        Assert.Equal(30, sut[0].Spread);
    }

    [Fact]
    public void Split_NoReceipts_NoBursts() => Assert.Empty(ReceiptBurst.Split([], gap: 10));

    [Fact]
    public void LargestStartingIn_TwoBurstsInTheWindow_PicksTheLargerOneAndIgnoresOnesStartingOutside()
    {
        ReceiptBurst[] bursts = [new(50, 150, 9), new(100, 120, 2), new(200, 260, 5), new(300, 310, 7)];

        Assert.Equal(new ReceiptBurst(200, 260, 5), ReceiptBurst.LargestStartingIn(bursts, from: 100, to: 300));
        Assert.Null(ReceiptBurst.LargestStartingIn(bursts, from: 400, to: 500));
    }
}
