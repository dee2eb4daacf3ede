using Tracker.Web.Features.Runs;

namespace Tracker.Web.Tests.Runs;

public class MetricDownsamplingTests
{
    private static SeriesPoint[] Series(int count, Func<int, double> value) =>
        Enumerable.Range(0, count).Select(i => new SeriesPoint(i * 10L, value(i))).ToArray();

    [Fact]
    public void KeepsFirstLast_AndTheMinimumAndMaximumOfEveryBucket()
    {
        // 102 points: the first, 100 interior points, the last. N = 12 → 5 buckets of 20 interior points (indices 1–20, 21–40, …).
        var points = Series(102, i => Math.Sin(i * 0.7) * 10 + i);

        var kept = MetricDownsampling.Downsample(points, 12);

        Assert.Equal(points[0], kept[0]);
        Assert.Equal(points[^1], kept[^1]);
        for (var bucket = 0; bucket < 5; bucket++)
        {
            var members = points.Skip(1 + 20 * bucket).Take(20).ToList();
            Assert.Contains(members.MinBy(p => p.Value), kept);
            Assert.Contains(members.MaxBy(p => p.Value), kept);
        }
        Assert.Equal(12, kept.Count);
    }

    [Fact]
    public void ASingleSpike_IsNeverHidden()
    {
        var points = Series(10_000, i => i == 6_543 ? 1e6 : 1.0 / (i + 1));

        var kept = MetricDownsampling.Downsample(points, 50);

        Assert.Contains(points[6_543], kept);
    }

    [Theory]
    [InlineData(1_000, 4)]
    [InlineData(1_000, 5)]
    [InlineData(1_000, 7)]
    [InlineData(1_000, 999)]
    [InlineData(5, 4)]
    [InlineData(3, 2)]
    public void NeverMoreThanN_InStepOrder(int count, int max)
    {
        var points = Series(count, i => (i * 7919) % 101);

        var kept = MetricDownsampling.Downsample(points, max);

        Assert.InRange(kept.Count, 2, max);
        Assert.Equal(kept.OrderBy(p => p.Step), kept);
        Assert.Equal(kept.Count, kept.Distinct().Count());
    }

    [Fact]
    public void NTwoOrThree_KeepsFirstAndLast()
    {
        var points = Series(100, i => i);

        Assert.Equal([points[0], points[^1]], MetricDownsampling.Downsample(points, 2));
        Assert.Equal([points[0], points[^1]], MetricDownsampling.Downsample(points, 3));
    }

    [Fact]
    public void EmptyAndShortSeries_ComeBackWhole()
    {
        Assert.Empty(MetricDownsampling.Downsample([], 10));
        SeriesPoint[] one = [new(0, 1)];
        Assert.Equal(one, MetricDownsampling.Downsample(one, 10));
        var ten = Series(10, i => i);
        Assert.Equal(ten, MetricDownsampling.Downsample(ten, 10));
    }

    [Fact]
    public void FewerThanTwoPoints_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MetricDownsampling.Downsample(Series(10, i => i), 1));
    }

    [Fact]
    public void NaN_IsPassedOver_UnlessABucketHasNothingElse_AndInfinityIsAnExtreme()
    {
        // N = 6 → 2 buckets of 4 interior points: indices 1–4 and 5–8.
        double[] values = [0, 1, double.NaN, double.PositiveInfinity, 2, double.NaN, double.NaN, double.NaN, double.NaN, 3];
        var points = values.Select((v, i) => new SeriesPoint(i, v)).ToArray();

        var kept = MetricDownsampling.Downsample(points, 6);

        Assert.Equal(new long[] { 0, 1, 3, 5, 9 }, kept.Select(p => p.Step));
    }

    [Fact]
    public void IsDeterministic()
    {
        var points = Series(10_000, i => Math.Cos(i) * i);

        Assert.Equal(MetricDownsampling.Downsample(points, 100), MetricDownsampling.Downsample(points, 100));
    }

    [Fact]
    public void AMillionPoints_DownToAThousand_KeepsTheGlobalExtremes()
    {
        var points = Series(1_000_000, i => Math.Sin(i / 1000.0) + (i == 777_777 ? -50 : 0) + (i == 123_457 ? 50 : 0));

        var kept = MetricDownsampling.Downsample(points, 1_000);

        Assert.Equal(1_000, kept.Count);
        Assert.Contains(points[777_777], kept);
        Assert.Contains(points[123_457], kept);
    }
}
