using YarpWaitingRoom.Bench.Scenarios;

namespace YarpWaitingRoom.Bench.Tests.Scenarios;

public sealed class SelloutFiguresTests
{
    [Fact]
    public void Compute_SoldOutHeardByEverySocket_PercentilesFromTheLastSeat()
    {
        // 100 sockets hearing it 1..100 ms after the last seat went at 5,000 ms.
        var waiting = Enumerable.Range(1, 100).Select(i => new SoldOutHearing(5000.0 + i, 1)).ToArray();

        var sut = SelloutFigures.Compute(5000, waiting, [], null, [], admitPerSeat: 2);

        Assert.Equal(100, sut.Waiting);
        Assert.Equal(100, sut.Heard);
        Assert.Equal(0, sut.Unheard);
        Assert.Equal(50, sut.SoldOutP50Ms);
        Assert.Equal(99, sut.SoldOutP99Ms);
        Assert.Equal(100, sut.SoldOutMaxMs);
        Assert.True(sut.SoldOutGoalMet);
    }

    [Fact]
    public void Compute_ASocketNeverHearing_MissesTheGoalWhateverThePercentiles()
    {
        SoldOutHearing[] waiting = [new(5010, 1), new(5020, 1), new(null, 0)];

        var sut = SelloutFigures.Compute(5000, waiting, [], null, [], admitPerSeat: 2);

        Assert.Equal(3, sut.Waiting);
        Assert.Equal(1, sut.Unheard);
        Assert.Equal(20, sut.SoldOutMaxMs);
        Assert.False(sut.SoldOutGoalMet);
    }

    [Fact]
    public void Compute_P99AboveASecond_MissesTheGoal()
    {
        SoldOutHearing[] waiting = [new(5100, 1), new(6200, 1)];

        var sut = SelloutFigures.Compute(5000, waiting, [], null, [], admitPerSeat: 2);

        Assert.Equal(1200, sut.SoldOutP99Ms);
        Assert.False(sut.SoldOutGoalMet);
    }

    [Fact]
    public void Compute_SocketsHearingItTwice_AreCounted()
    {
        SoldOutHearing[] waiting = [new(5100, 2), new(5200, 1)];

        var sut = SelloutFigures.Compute(5000, waiting, [], null, [], admitPerSeat: 2);

        Assert.Equal(1, sut.Repeated);
    }

    [Fact]
    public void Compute_AdmissionsAroundSoldOutAndRelease_CountedInTheirWindow()
    {
        // Before sold out (ok), two between sold out and the release (the figure), three after the release (resumed).
        double[] admissions = [1000, 4999, 5001, 7000, 9050, 9500, 9020];

        var sut = SelloutFigures.Compute(5000, [], admissions, releasedAtMs: 9000, [], admitPerSeat: 2);

        Assert.Equal(2, sut.AdmittedAfterSoldOut);
        Assert.Equal(3, sut.AdmittedAfterRelease);
        Assert.Equal(20, sut.FirstAdmissionAfterReleaseMs);
        Assert.False(sut.AdmissionGoalMet);
    }

    [Fact]
    public void Compute_NoAdmissionAfterSoldOut_MeetsTheAdmissionGoal()
    {
        var sut = SelloutFigures.Compute(5000, [], [100, 200], releasedAtMs: null, [], admitPerSeat: 2);

        Assert.Equal(0, sut.AdmittedAfterSoldOut);
        Assert.True(sut.AdmissionGoalMet);
        Assert.Null(sut.FirstAdmissionAfterReleaseMs);
    }

    [Fact]
    public void Compute_NeverSoldOut_NoWaitingFiguresAndGoalsMissed()
    {
        var sut = SelloutFigures.Compute(null, [new SoldOutHearing(100, 1)], [100], null, [], admitPerSeat: 2);

        Assert.Equal(0, sut.Waiting);
        Assert.Null(sut.SoldOutP99Ms);
        Assert.Equal(0, sut.AdmittedAfterSoldOut);
        Assert.False(sut.AdmissionGoalMet);
        Assert.False(sut.SoldOutGoalMet);
    }

    [Fact]
    public void Compute_ActiveRisingAboveTheBound_CountsOnlyTheRiseBeyondIt()
    {
        // AdmitPerSeat 0.5: 10 left allow 5. A rise from 2 to 7 with 10 left is 2 beyond; active falling or staying
        // above the bound without a rise (sessions that were already there) is not an admission.
        RoomSample[] samples =
        [
            new(0, 2, 10),
            new(100, 7, 10),
            new(200, 7, 8),
            new(300, 6, 6),
        ];

        var sut = SelloutFigures.Compute(5000, [], [], null, samples, admitPerSeat: 0.5);

        Assert.Equal(2, sut.AdmittedBeyondBound);
        Assert.False(sut.AdmissionGoalMet);
    }

    [Fact]
    public void Compute_RiseWhileSeatsWereStillThere_TakesTheLargerRemainingOfTheTwoSamples()
    {
        // Admitted while 10 were left (bound 20), then 6 seats went before the next sample: not beyond the bound.
        RoomSample[] samples = [new(0, 10, 10), new(100, 18, 4)];

        var sut = SelloutFigures.Compute(5000, [], [], null, samples, admitPerSeat: 2);

        Assert.Equal(0, sut.AdmittedBeyondBound);
    }

    [Fact]
    public void Compute_RiseAfterTheRelease_IsNotCountedAgainstTheBound()
    {
        // Seats came back at 150 ms: the bench's tally no longer bounds what the room may admit.
        RoomSample[] samples = [new(0, 1, 0), new(100, 1, 0), new(200, 9, 0)];

        var sut = SelloutFigures.Compute(50, [], [], releasedAtMs: 150, samples, admitPerSeat: 2);

        Assert.Equal(0, sut.AdmittedBeyondBound);
    }

    [Fact]
    public void Compute_AdmitPerSeatOff_NoBoundToExceed()
    {
        RoomSample[] samples = [new(0, 0, 0), new(100, 50, 0)];

        var sut = SelloutFigures.Compute(5000, [], [], null, samples, admitPerSeat: 0);

        Assert.Equal(0, sut.AdmittedBeyondBound);
    }

    [Theory]
    [InlineData(50, 3)]
    [InlineData(99, 5)]
    [InlineData(100, 5)]
    [InlineData(1, 1)]
    public void Percentile_NearestRank(double percentile, double expected)
    {
        Assert.Equal(expected, SelloutFigures.Percentile([1, 2, 3, 4, 5], percentile));
    }

    [Fact]
    public void Percentile_NoValues_IsNull()
    {
        Assert.Null(SelloutFigures.Percentile([], 99));
    }
}
