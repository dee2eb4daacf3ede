using Tracker.Web.Features.Compare.Statistics;

namespace Tracker.Web.Tests.Compare.Statistics;

public class TTestsTests
{
    // Baseline 4 seeds, other 3 seeds of a final val/acc.
    private static readonly double[] Baseline = [84.9, 85.1, 84.7, 85.3];
    private static readonly double[] Other = [85.6, 86.4, 85.9];

    [Fact]
    public void Welch_MatchesTheHandComputedStatistic()
    {
        // By hand: means 85.0 and 85.9667, so Δ = 0.96667. Sample variances 0.26/3 ... = 0.066667 and 0.163333.
        // se² = 0.066667/4 + 0.163333/3 = 0.016667 + 0.054444 = 0.071111, se = 0.266667, t = 0.96667 / 0.266667 = 3.625.
        // df = 0.071111² / (0.016667²/3 + 0.054444²/2) = 0.0050568 / (0.0000926 + 0.0014821) = 3.2113.
        // SciPy: ttest_ind(other, baseline, equal_var=False) → t 3.625, p 0.0322707; t.ppf(0.975, 3.21129) = 3.0672066,
        // so the 95 % interval is 0.96667 ± 3.0672066 × 0.266667 = [0.148745, 1.784588].
        var welch = TTests.Welch(Baseline, Other);

        Assert.Equal(ComparisonMethod.WelchT, welch.Method);
        Assert.Equal(0.9666667, welch.Difference, 1e-6);
        Assert.Equal(3.625, welch.T!.Value, 1e-9);
        Assert.Equal(3.2112897, welch.DegreesOfFreedom!.Value, 1e-6);
        Assert.Equal(0.0322707, welch.PValue!.Value, 1e-6);
        Assert.Equal(0.148745, welch.Lower, 1e-5);
        Assert.Equal(1.784588, welch.Upper, 1e-5);
    }

    [Fact]
    public void Welch_IsAntisymmetric_SwappingTheGroupsFlipsTheSign()
    {
        var forward = TTests.Welch(Baseline, Other);
        var backward = TTests.Welch(Other, Baseline);

        Assert.Equal(-forward.T!.Value, backward.T!.Value, 1e-9);
        Assert.Equal(forward.PValue!.Value, backward.PValue!.Value, 1e-12);
        Assert.Equal(-forward.Upper, backward.Lower, 1e-9);
    }

    [Fact]
    public void Paired_MatchesScipy_AndIsNarrowerThanWelchOnTheSameSeeds()
    {
        // Seeds 0..4 in the same order in both groups. Differences 0.8, 0.5, 0.7, 0.4, 1.0: mean 0.68, s_d 0.238747,
        // se = s_d/√5 = 0.106771, t = 6.368784 at df 4; SciPy ttest_rel p = 0.00311684; t.ppf(0.975, 4) = 2.7764451,
        // interval [0.383557, 0.976443]. Welch on the same numbers ignores the pairing: [-0.201128, 1.561128].
        double[] baseline = [70.1, 71.3, 69.8, 70.6, 70.9];
        double[] other = [70.9, 71.8, 70.5, 71.0, 71.9];

        var paired = TTests.Paired(baseline, other);
        var welch = TTests.Welch(baseline, other);

        Assert.Equal(ComparisonMethod.PairedT, paired.Method);
        Assert.Equal(0.68, paired.Difference, 1e-9);
        Assert.Equal(6.368784, paired.T!.Value, 1e-5);
        Assert.Equal(4, paired.DegreesOfFreedom);
        Assert.Equal(0.00311684, paired.PValue!.Value, 1e-7);
        Assert.Equal(0.383557, paired.Lower, 1e-5);
        Assert.Equal(0.976443, paired.Upper, 1e-5);
        Assert.True(paired.ExcludesZero);
        Assert.Equal(-0.201128, welch.Lower, 1e-5);
        Assert.Equal(1.561128, welch.Upper, 1e-5);
        Assert.False(welch.ExcludesZero);
    }

    [Theory]
    // SciPy t.ppf(0.975, df).
    [InlineData(1, 12.706205)]
    [InlineData(2, 4.302653)]
    [InlineData(4, 2.776445)]
    [InlineData(30, 2.042272)]
    public void CriticalValue_MatchesTheTable(double degrees, double expected)
    {
        Assert.Equal(expected, TTests.CriticalValue(degrees, 0.95), 1e-5);
    }

    [Fact]
    public void TwoSidedP_AtDfTwo_MatchesTheClosedForm()
    {
        // For df = 2 the two-sided p is 1 − t/√(2 + t²): at t = 2, 1 − 2/√6 = 0.183503.
        Assert.Equal(1 - 2 / Math.Sqrt(6), TTests.TwoSidedP(2, 2), 1e-9);
        Assert.Equal(1 - 2 / Math.Sqrt(6), TTests.TwoSidedP(-2, 2), 1e-9);
    }

    [Fact]
    public void GroupsWithNoSpread_GiveTheExactDifference()
    {
        var differ = TTests.Welch([80, 80, 80], [81, 81, 81]);
        var agree = TTests.Welch([80, 80, 80], [80, 80, 80]);

        Assert.Equal((1.0, 1.0, 0.0), (differ.Lower, differ.Upper, differ.PValue!.Value));
        Assert.Equal((0.0, 0.0, 1.0), (agree.Lower, agree.Upper, agree.PValue!.Value));
    }

    [Fact]
    public void BadInputs_AreRefusedWithAReason()
    {
        Assert.Contains("at least 2", Assert.Throws<ArgumentException>(() => TTests.Welch([1.0], [1.0, 2.0])).Message, StringComparison.Ordinal);
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => TTests.Welch([1.0, double.NaN], [1.0, 2.0])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => TTests.Paired([1.0, 2.0, 3.0], [1.0, 2.0]));
    }
}
