using YarpWaitingRoom.Queue;

namespace YarpWaitingRoom.Tests.Queue;

public sealed class PositionBookTests
{
    private static QueueFront Whole(long front, long total, params long[] departed) =>
        new(front, total, "1-0", More: false, ProbePlace: 0, departed, []);

    private static QueueFront Events(long front, long total, bool more = false, params long[] departedSequences) =>
        new(front, total, "2-0", more, ProbePlace: 0, [], [.. departedSequences.Select(s => new QueueDeparture(GoneReason.Abandoned, "t" + s, s))]);

    [Fact]
    public void PlaceOf_CountsFromTheFront_LessTheDeparturesAhead()
    {
        var sut = new PositionBook();

        sut.StartOver(Whole(front: 10, total: 2, 12, 15));

        Assert.Equal(1, sut.PlaceOf(11));
        Assert.Equal(-1, sut.PlaceOf(12));
        Assert.Equal(2, sut.PlaceOf(13));
        Assert.Equal(3, sut.PlaceOf(14));
        Assert.Equal(-1, sut.PlaceOf(15));
        Assert.Equal(4, sut.PlaceOf(16));
        Assert.Equal(0, sut.PlaceOf(10));
        Assert.Equal(0, sut.PlaceOf(0));
    }

    [Fact]
    public void Advance_MergesNewDeparturesInOrder_AndDropsThoseTheFrontPassed()
    {
        var sut = new PositionBook();
        sut.StartOver(Whole(front: 0, total: 3, 4, 9, 20));

        Assert.True(sut.Advance(Events(front: 5, total: 6, more: false, 2, 7, 30)));

        // 2 and 4 are behind the new front (5); 7, 9, 20, 30 are held.
        Assert.Equal(4, sut.DepartedCount);
        Assert.Equal(1, sut.PlaceOf(6));
        Assert.Equal(-1, sut.PlaceOf(7));
        Assert.Equal(2, sut.PlaceOf(8));
        Assert.Equal(12, sut.PlaceOf(19));
        Assert.Equal(21, sut.PlaceOf(29));
        Assert.Equal(22, sut.PlaceOf(31));
    }

    [Fact]
    public void Advance_WhenTheRoomCountsDeparturesTheBookNeverSaw_LosesTrack()
    {
        var sut = new PositionBook();
        sut.StartOver(Whole(front: 0, total: 0));

        Assert.False(sut.Advance(Events(front: 0, total: 2, more: false, 3)));

        Assert.Null(sut.LastEventId);
    }

    [Fact]
    public void Advance_WithMoreToCome_ChecksTheCountOnlyAtTheLastRead()
    {
        var sut = new PositionBook();
        sut.StartOver(Whole(front: 0, total: 0));

        Assert.True(sut.Advance(Events(front: 0, total: 2, more: true, 3)));
        Assert.True(sut.Advance(Events(front: 0, total: 2, more: false, 5)));

        Assert.Equal(2, sut.DepartedCount);
        Assert.Equal(4, sut.PlaceOf(6));
    }

    [Fact]
    public void Advance_IgnoresEventsOfAdmissionsThatEnded()
    {
        var sut = new PositionBook();
        sut.StartOver(Whole(front: 0, total: 1, 2));
        var read = new QueueFront(0, 1, "3-0", false, 0, [], [new QueueDeparture(GoneReason.Expired, "x", 0)]);

        Assert.True(sut.Advance(read));

        Assert.Equal(2, sut.PlaceOf(3));
    }

    [Fact]
    public void Merge_KeepsAManyTimesGrownBookSorted()
    {
        var sut = new PositionBook();
        sut.StartOver(Whole(front: 0, total: 0));
        var random = new Random(7);
        var departed = new SortedSet<long>();
        long total = 0;
        for (var round = 0; round < 50; round++)
        {
            var fresh = Enumerable.Range(0, random.Next(0, 40)).Select(_ => (long)random.Next(1, 5000)).Where(departed.Add).ToArray();
            total += fresh.Length;
            Assert.True(sut.Advance(Events(front: 0, total, more: false, fresh)));
        }

        long place = 0;
        for (long sequence = 1; sequence <= 5000; sequence++)
        {
            if (departed.Contains(sequence))
            {
                Assert.Equal(-1, sut.PlaceOf(sequence));
            }
            else
            {
                Assert.Equal(++place, sut.PlaceOf(sequence));
            }
        }
    }
}
