using System.Diagnostics;
using YarpWaitingRoom.Bench.Scenarios;

namespace YarpWaitingRoom.Bench.Tests.Scenarios;

public sealed class SelloutRunTests
{
    [Fact]
    public void TakeSlot_InOrderOfAdmission_HoldBackThenBuyersThenLeavers()
    {
        var sut = new SelloutRun([11, 12, 13, 14, 15], seatsPerVisitor: 2, holdBack: 1);

        var slots = Enumerable.Range(0, 4).Select(_ => sut.TakeSlot()).ToArray();

        Assert.Equal(SelloutRole.HoldBack, slots[0].Role);
        Assert.Equal([11, 12], slots[0].Seats);
        Assert.Equal(SelloutRole.Buyer, slots[1].Role);
        Assert.Equal([13, 14], slots[1].Seats);
        Assert.Equal(SelloutRole.Buyer, slots[2].Role);
        Assert.Equal([15], slots[2].Seats); // the last, short slice
        Assert.Equal(SelloutRole.Leaver, slots[3].Role);
        Assert.Empty(slots[3].Seats);
    }

    [Fact]
    public void SeatTaken_TheLastSeat_MarksSoldOutAtThatAnswer()
    {
        var sut = new SelloutRun([1, 2], seatsPerVisitor: 2, holdBack: 0);
        var last = Stopwatch.GetTimestamp();

        sut.SeatTaken(sut.Begin);
        Assert.False(sut.SoldOut.IsCompleted);
        sut.SeatTaken(last);

        Assert.True(sut.SoldOut.IsCompletedSuccessfully);
        Assert.Equal(sut.Ms(last), sut.SoldOutAtMs);
        Assert.Equal(0, sut.Remaining);
    }

    [Fact]
    public void SeatReleased_TheFirstAnswerMarksSeatsBack()
    {
        var sut = new SelloutRun([1, 2], seatsPerVisitor: 2, holdBack: 1);
        var first = Stopwatch.GetTimestamp();
        sut.SeatTaken(sut.Begin);
        sut.SeatTaken(sut.Begin);

        sut.SeatReleased(first);
        sut.SeatReleased(first + Stopwatch.Frequency);

        Assert.Equal(sut.Ms(first), sut.ReleasedAtMs);
        Assert.Equal(2, sut.Remaining);
    }
}
