using Tracker.Web.Features.Compare;

namespace Tracker.Web.Tests.Compare;

public class SeriesMathTests
{
    private static readonly DateTime Start = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    private static RawPoint Point(long step, int epoch, double value, double seconds = 0) =>
        new(1, "train/loss", step, epoch, value, Start.AddSeconds(seconds));

    [Fact]
    public void AlignOnEpoch_TakesTheLastPointOfEachEpoch()
    {
        // Step points within an epoch, then the epoch's closing value at the same step as the last step point.
        RawPoint[] points = [Point(10, 1, 2.0), Point(20, 1, 1.6), Point(20, 1, 1.5), Point(30, 2, 1.2), Point(40, 2, 1.0)];

        var line = SeriesMath.Align(points, CompareXAxis.Epoch, Start);

        Assert.Equal([new XY(1, 1.5), new XY(2, 1.0)], line);
    }

    [Fact]
    public void AlignOnStep_KeepsEveryStep_TheLaterOfTwoPointsAtOneStepWinning()
    {
        RawPoint[] points = [Point(10, 1, 2.0), Point(20, 1, 1.6), Point(20, 1, 1.5), Point(30, 2, 1.2)];

        var line = SeriesMath.Align(points, CompareXAxis.Step, Start);

        Assert.Equal([new XY(10, 2.0), new XY(20, 1.5), new XY(30, 1.2)], line);
    }

    [Fact]
    public void AlignOnTime_IsSecondsSinceTheStart_InTimeOrder()
    {
        RawPoint[] points = [Point(10, 1, 2.0, seconds: 5), Point(20, 1, 1.5, seconds: 12.5), Point(30, 1, 1.0, seconds: 11)];

        var line = SeriesMath.Align(points, CompareXAxis.Time, Start.AddSeconds(1));

        Assert.Equal([new XY(4, 2.0), new XY(10, 1.0), new XY(11.5, 1.5)], line);
    }

    [Fact]
    public void Align_LeavesOutValuesALineCannotBeDrawnThrough()
    {
        RawPoint[] points = [Point(1, 1, 1.0), Point(2, 2, double.PositiveInfinity), Point(3, 3, double.NaN), Point(4, 4, 0.5)];

        var line = SeriesMath.Align(points, CompareXAxis.Epoch, Start);

        Assert.Equal([new XY(1, 1.0), new XY(4, 0.5)], line);
    }

    [Fact]
    public void Smooth_IsAnExponentialMovingAverageStartingAtTheFirstValue()
    {
        XY[] line = [new(1, 1), new(2, 3), new(3, 5)];

        var smoothed = SeriesMath.Smooth(line, 0.5);

        // 1; 0.5*1 + 0.5*3 = 2; 0.5*2 + 0.5*5 = 3.5
        Assert.Equal([new XY(1, 1), new XY(2, 2), new XY(3, 3.5)], smoothed);
    }

    [Fact]
    public void Smooth_WithWeightZero_ChangesNothing()
    {
        XY[] line = [new(1, 4), new(2, -1), new(3, 7)];

        Assert.Equal(line, SeriesMath.Smooth(line, 0));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    public void Smooth_RefusesAWeightOutsideZeroToOne(double weight) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SeriesMath.Smooth([new XY(1, 1)], weight));

    [Fact]
    public void MeanStd_IsTheMeanAndTheSampleStandardDeviation()
    {
        var (mean, std) = SeriesMath.MeanStd([2, 4, 4, 4, 5, 5, 7, 9]);

        Assert.Equal(5, mean, 12);
        Assert.Equal(Math.Sqrt(32.0 / 7), std, 12);
    }

    [Fact]
    public void MeanStd_OfOneValue_HasNoSpread() => Assert.Equal((3.5, 0.0), SeriesMath.MeanStd([3.5]));

    [Fact]
    public void Aggregate_AveragesTheRunsAtEachX_AndAShortRunOnlyWhereItHasValues()
    {
        IReadOnlyList<XY>[] runs =
        [
            [new(1, 1.0), new(2, 2.0), new(3, 3.0)],
            [new(1, 3.0), new(2, 4.0)],
        ];

        var band = SeriesMath.Aggregate(runs);

        Assert.Equal([1.0, 2.0, 3.0], band.Select(p => p.X));
        Assert.Equal([2.0, 3.0, 3.0], band.Select(p => p.Mean));
        Assert.Equal([Math.Sqrt(2), Math.Sqrt(2), 0], band.Select(p => p.Std));
        Assert.Equal([2, 2, 1], band.Select(p => p.N));
        Assert.Equal(3.0 - Math.Sqrt(2), band[1].Lower, 12);
        Assert.Equal(3.0 + Math.Sqrt(2), band[1].Upper, 12);
    }

    [Fact]
    public void Aggregate_InterpolatesARunBetweenItsPoints_WhenTheRunsWereMeasuredAtDifferentXs()
    {
        IReadOnlyList<XY>[] runs = [[new(0, 0.0), new(10, 10.0)], [new(0, 2.0), new(5, 2.0), new(10, 2.0)]];

        var band = SeriesMath.Aggregate(runs);

        Assert.Equal([0.0, 5.0, 10.0], band.Select(p => p.X));
        Assert.Equal([1.0, 3.5, 6.0], band.Select(p => p.Mean));
    }

    [Theory]
    [InlineData(-1, null)]
    [InlineData(0, 10.0)]
    [InlineData(1, 12.0)]
    [InlineData(2, 14.0)]
    [InlineData(3, 11.0)]
    [InlineData(4, 8.0)]
    [InlineData(4.5, null)]
    public void ValueAt_InterpolatesInsideTheLineOnly(double x, double? expected)
    {
        XY[] line = [new(0, 10), new(2, 14), new(4, 8)];

        Assert.Equal(expected, SeriesMath.ValueAt(line, x));
    }

    [Fact]
    public void Thin_KeepsAtMostTheGivenCount_WithTheFirstAndLastPoints()
    {
        var points = Enumerable.Range(0, 1000).ToList();

        var thinned = SeriesMath.Thin(points, 100);

        Assert.Equal(100, thinned.Count);
        Assert.Equal(0, thinned[0]);
        Assert.Equal(999, thinned[^1]);
        Assert.Equal(thinned.Order(), thinned);
        Assert.Same(points, SeriesMath.Thin(points, 1000));
    }
}
