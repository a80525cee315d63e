using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Stats;

namespace YarpWaitingRoom.Tests.Switch;

public sealed class BucketQuantileTests
{
    private static readonly double[] Bounds = [1, 2, 5, 10];

    [Theory]
    [InlineData(new long[] { 0, 0, 0, 0, 0 }, 0.5, null)]
    [InlineData(new long[] { 10, 0, 0, 0, 0 }, 0.5, 0.5)]
    [InlineData(new long[] { 0, 10, 0, 0, 0 }, 0.5, 1.5)]
    [InlineData(new long[] { 5, 5, 0, 0, 0 }, 0.5, 1.0)]
    [InlineData(new long[] { 0, 0, 0, 10, 0 }, 0.95, 9.75)]
    [InlineData(new long[] { 0, 0, 0, 0, 3 }, 0.5, 10.0)]
    [InlineData(new long[] { 1, 0, 0, 0, 0 }, 1.0, 1.0)]
    public void Of_InterpolatesInsideTheBucket_LikeHistogramQuantile(long[] counts, double quantile, double? expected) =>
        Assert.Equal(expected, BucketQuantile.Of(Bounds, counts, quantile));

    [Fact]
    public void WaitBuckets_MedianOfAnEmptyHistogram_IsUnknown() =>
        Assert.Null(WaitBuckets.Median(new long[WaitBuckets.Bounds.Length + 1]));

    [Theory]
    [InlineData(0.2, 0)]
    [InlineData(1.0, 0)]
    [InlineData(1.5, 1)]
    [InlineData(99, 6)]
    [InlineData(20_000, 13)]
    public void LatencyBucket_IsTheFirstBoundAtOrAboveTheTime(double milliseconds, int expected) =>
        Assert.Equal(expected, RateFields.BucketOf(TimeSpan.FromMilliseconds(milliseconds)));
}
