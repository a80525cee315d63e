using System.Diagnostics;
using YarpWaitingRoom.Bench.Scenarios;

namespace YarpWaitingRoom.Bench.Tests.Scenarios;

public sealed class SelloutRunTests
{
    [Fact]
    public void Admit_InOrderOfAdmission_HoldBackThenBuyersThenLeaversOnceNoSeatIsLeft()
    {
        var sut = new SelloutRun([11, 12, 13], seatsPerBuyer: 1, holdBack: 1, seatsPerHoldBack: 2);

        Assert.Equal(SelloutRole.HoldBack, sut.Admit());
        Assert.Equal(2, sut.SeatsFor(SelloutRole.HoldBack));
        Assert.Equal(SelloutRole.Buyer, sut.Admit());
        Assert.Equal(1, sut.SeatsFor(SelloutRole.Buyer));
        Assert.True(sut.TryTakeSeat(out var first));
        Assert.True(sut.TryTakeSeat(out var second));
        Assert.True(sut.TryTakeSeat(out var third));
        Assert.Equal([11, 12, 13], [first, second, third]);

        Assert.Equal(SelloutRole.Leaver, sut.Admit());
        Assert.False(sut.TryTakeSeat(out _));
    }

    [Fact]
    public void GiveBack_ASeatWhoseHoldFailed_IsTakenAgain()
    {
        var sut = new SelloutRun([7], seatsPerBuyer: 1, holdBack: 0, seatsPerHoldBack: 4);
        Assert.True(sut.TryTakeSeat(out var seat));
        Assert.Equal(SelloutRole.Leaver, sut.Admit());

        sut.GiveBack(seat);

        Assert.Equal(SelloutRole.Buyer, sut.Admit());
        Assert.True(sut.TryTakeSeat(out var again));
        Assert.Equal(7, again);
    }

    [Fact]
    public void BackendSays_NothingLeft_SoldOutAtTheLastAnswerThatTookASeat()
    {
        var sut = new SelloutRun([1, 2], seatsPerBuyer: 1, holdBack: 0, seatsPerHoldBack: 4);
        var last = Stopwatch.GetTimestamp();
        sut.SeatTaken(last);
        sut.SeatTaken(sut.Begin); // an earlier answer counted later does not move the moment back

        sut.BackendSays(1);
        Assert.False(sut.SoldOut.IsCompleted);
        sut.BackendSays(0);

        Assert.True(sut.SoldOut.IsCompletedSuccessfully);
        Assert.Equal(sut.Ms(last), sut.SoldOutAtMs);
        Assert.Equal(0, sut.Remaining);
    }

    [Fact]
    public void BackendSays_NothingLeftBeforeAnySeatWasTaken_IsNotTheSalesEnd()
    {
        var sut = new SelloutRun([1], seatsPerBuyer: 1, holdBack: 0, seatsPerHoldBack: 4);

        sut.BackendSays(0);

        Assert.False(sut.SoldOut.IsCompleted);
        Assert.Null(sut.SoldOutAtMs);
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
        Assert.Equal(2, sut.Remaining); // the tally, while the backend has said nothing
    }
}
