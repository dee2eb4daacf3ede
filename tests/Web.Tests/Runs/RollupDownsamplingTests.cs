using Tracker.Web.Data;
using Tracker.Web.Features.Runs;

namespace Tracker.Web.Tests.Runs;

public class RollupDownsamplingTests
{
    private static readonly DateTime Start = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    private static List<MetricPoint> Line(int count, Func<int, double> value) =>
        [.. Enumerable.Range(0, count).Select(step => new MetricPoint
            { RunId = 1, Key = "train/loss", Step = step, Epoch = step / 1_000 + 1, Value = value(step), Time = Start.AddSeconds(step) })];

    private static List<MetricRollup> Buckets(IEnumerable<MetricPoint> points, int span) =>
        [.. MetricRollups.Fold(points).Where(r => r.Span == span).OrderBy(r => r.Bucket)];

    [Fact]
    public void KeepsFirstLast_AndTheMinimumAndMaximumOfEveryGroupOfBuckets()
    {
        // 10,000 steps at span 100: 100 buckets; N = 22 → 10 groups of 10 buckets, i.e. of 1,000 steps each.
        var random = new Random(3);
        var points = Line(10_000, step => Math.Sin(step * 0.01) + random.NextDouble());

        var kept = RollupDownsampling.Downsample(Buckets(points, 100), 22);

        Assert.Equal(new StoredPoint(0, 1, points[0].Value, Start), kept[0]);
        Assert.Equal(9_999, kept[^1].Step);
        for (var group = 0; group < 10; group++)
        {
            var members = points.Skip(1_000 * group).Take(1_000).ToList();
            Assert.Contains(kept, p => p.Step == members.MinBy(m => m.Value)!.Step && p.Value == members.Min(m => m.Value));
            Assert.Contains(kept, p => p.Step == members.MaxBy(m => m.Value)!.Step && p.Value == members.Max(m => m.Value));
        }
        Assert.Equal(22, kept.Count);
        Assert.Equal(kept.Select(p => p.Step).Order(), kept.Select(p => p.Step));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(101)]
    [InlineData(2_000)]
    public void RespectsN_AndNeverHidesASpikeOrADip(int maxPoints)
    {
        var points = Line(250_000, step => step == 123_457 ? 1e6 : step == 7 ? -1e6 : 1.0 / (1 + step));

        var kept = RollupDownsampling.Downsample(Buckets(points, 1_000), maxPoints);

        Assert.InRange(kept.Count, 2, maxPoints);
        Assert.Equal((0L, 249_999L), (kept[0].Step, kept[^1].Step));
        if (maxPoints >= 4)
        {
            Assert.Contains(kept, p => p.Step == 123_457 && p.Value == 1e6 && p.Epoch == 124 && p.Time == Start.AddSeconds(123_457));
            Assert.Contains(kept, p => p.Step == 7 && p.Value == -1e6);
        }
    }

    [Fact]
    public void FewerBucketsThanGroups_GiveEachBucketItsOwnExtremes()
    {
        // 3 buckets, room for 49 groups: each bucket's min and max, plus the ends, once each.
        var points = Line(300, step => step % 100 == 50 ? 9 : step % 100 == 60 ? -9 : 0);

        var kept = RollupDownsampling.Downsample(Buckets(points, 100), 100);

        Assert.Equal([0L, 50, 60, 150, 160, 250, 260, 299], kept.Select(p => p.Step));
    }
}
