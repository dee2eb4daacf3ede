using Tracker.Web.Features.Compare.Statistics;

namespace Tracker.Web.Tests.Compare.Statistics;

public class BootstrapIntervalTests
{
    private static readonly double[] Baseline = [84.9, 85.1, 84.7, 85.3, 85.0, 84.8, 85.2, 84.6, 85.4, 85.0];
    private static readonly double[] Other = [85.6, 86.4, 85.9, 86.1, 85.7, 86.0, 86.3, 85.8, 86.2, 85.5];

    [Fact]
    public void SameSeed_GivesTheSameInterval()
    {
        var first = BootstrapInterval.Unpaired(Baseline, Other, seed: 7);
        var again = BootstrapInterval.Unpaired(Baseline, Other, seed: 7);

        Assert.Equal(first, again);
    }

    [Fact]
    public void AnotherSeed_MovesTheIntervalOnlyALittle()
    {
        var first = BootstrapInterval.Unpaired(Baseline, Other, seed: 7);
        var other = BootstrapInterval.Unpaired(Baseline, Other, seed: 8);

        Assert.NotEqual(first.Lower, other.Lower);
        Assert.Equal(first.Lower, other.Lower, 0.05);
        Assert.Equal(first.Upper, other.Upper, 0.05);
    }

    [Fact]
    public void Unpaired_IsCentredOnTheObservedDifference_AndCloseToWelchAtTenRuns()
    {
        // Δ = 85.95 − 85.0 = 0.95. With 10 runs a group the percentile interval and Welch's agree to within a few hundredths.
        var bootstrap = BootstrapInterval.Unpaired(Baseline, Other);
        var welch = TTests.Welch(Baseline, Other);

        Assert.Equal(ComparisonMethod.Bootstrap, bootstrap.Method);
        Assert.Equal(0.95, bootstrap.Difference, 1e-9);
        Assert.Null(bootstrap.PValue);
        Assert.InRange(bootstrap.Lower, welch.Lower - 0.06, welch.Lower + 0.06);
        Assert.InRange(bootstrap.Upper, welch.Upper - 0.06, welch.Upper + 0.06);
        Assert.True(bootstrap.Lower < 0.95 && 0.95 < bootstrap.Upper);
    }

    [Fact]
    public void AtThreeRuns_ThePercentileIntervalIsNarrowerThanWelchs()
    {
        // Why GroupComparison does not use the bootstrap for small groups: it has no small-sample widening.
        double[] baseline = [84.9, 85.1, 84.7];
        double[] other = [85.6, 86.4, 85.9];

        var bootstrap = BootstrapInterval.Unpaired(baseline, other);
        var welch = TTests.Welch(baseline, other);

        Assert.True(bootstrap.Upper - bootstrap.Lower < (welch.Upper - welch.Lower) / 2);
    }

    [Fact]
    public void Paired_ResamplesTheDifferences()
    {
        // Differences 0.8, 0.5, 0.7, 0.4, 1.0: every resampled mean lies between the smallest and the largest.
        double[] baseline = [70.1, 71.3, 69.8, 70.6, 70.9];
        double[] other = [70.9, 71.8, 70.5, 71.0, 71.9];

        var paired = BootstrapInterval.Paired(baseline, other, seed: 3);

        Assert.Equal(0.68, paired.Difference, 1e-9);
        Assert.InRange(paired.Lower, 0.4, 0.68);
        Assert.InRange(paired.Upper, 0.68, 1.0);
        Assert.Equal(paired, BootstrapInterval.Paired(baseline, other, seed: 3));
    }

    [Fact]
    public void Quantile_InterpolatesBetweenOrderStatistics()
    {
        // numpy.quantile([1, 2, 3, 4], 0.25) = 1.75.
        Assert.Equal(1.75, BootstrapInterval.Quantile([1, 2, 3, 4], 0.25), 1e-12);
        Assert.Equal(4, BootstrapInterval.Quantile([1, 2, 3, 4], 1), 1e-12);
    }
}
