using System.Diagnostics;
using YarpWaitingRoom.Bench.Scenarios;

namespace YarpWaitingRoom.Bench.Tests.Scenarios;

public sealed class SelloutRunTests
{
    [Fact]
    public void TakeSlot_InOrderOfAdmission_HoldBackThenBuyersThenLeavers()
    {
        var sut = new SelloutRun([11, 12, 13, 14, 15, 16], seatsPerBuyer: 2, holdBack: 1, seatsPerHoldBack: 3);

        var slots = Enumerable.Range(0, 4).Select(_ => sut.TakeSlot()).ToArray();

        Assert.Equal(SelloutRole.HoldBack, slots[0].Role);
        Assert.Equal([11, 12, 13], slots[0].Seats);
        Assert.Equal(SelloutRole.Buyer, slots[1].Role);
        Assert.Equal([14, 15], slots[1].Seats);
        Assert.Equal(SelloutRole.Buyer, slots[2].Role);
        Assert.Equal([16], slots[2].Seats); // the last, short share
        Assert.Equal(SelloutRole.Leaver, slots[3].Role);
        Assert.Empty(slots[3].Seats);
    }

    [Fact]
    public void TakeSlot_MoreHoldingBackThanSeats_TheRestLeave()
    {
        var sut = new SelloutRun([1, 2, 3, 4, 5], seatsPerBuyer: 1, holdBack: 3, seatsPerHoldBack: 4);

        var slots = Enumerable.Range(0, 3).Select(_ => sut.TakeSlot()).ToArray();

        Assert.Equal([1, 2, 3, 4], slots[0].Seats);
        Assert.Equal([5], slots[1].Seats);
        Assert.Equal(SelloutRole.Leaver, slots[2].Role);
    }

    [Fact]
    public void SeatTaken_TheLastSeat_MarksSoldOutAtThatAnswer()
    {
        var sut = new SelloutRun([1, 2], seatsPerBuyer: 1, holdBack: 0, seatsPerHoldBack: 4);
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
        var sut = new SelloutRun([1, 2], seatsPerBuyer: 1, holdBack: 1, seatsPerHoldBack: 2);
        var first = Stopwatch.GetTimestamp();
        sut.SeatTaken(sut.Begin);
        sut.SeatTaken(sut.Begin);

        sut.SeatReleased(first);
        sut.SeatReleased(first + Stopwatch.Frequency);

        Assert.Equal(sut.Ms(first), sut.ReleasedAtMs);
        Assert.Equal(2, sut.Remaining);
    }
}
