using Tracker.Shared;
using Tracker.Web.Features.Compare.Statistics;

namespace Tracker.Web.Tests.Compare.Statistics;

public class GroupComparisonTests
{
    private static SeededValue[] Seeded(params double[] values) => values.Select((v, i) => new SeededValue(v, i)).ToArray();

    private static SeededValue[] Unseeded(params double[] values) => values.Select(v => new SeededValue(v)).ToArray();

    [Fact]
    public void SameSeedSet_IsPaired_InSeedOrderWhateverTheListOrder()
    {
        // The pairing of TTestsTests.Paired..., with the other group listed backwards: the seeds, not positions, pair.
        var baseline = Seeded(70.1, 71.3, 69.8, 70.6, 70.9);
        var other = Seeded(70.9, 71.8, 70.5, 71.0, 71.9).Reverse().ToArray();

        var result = GroupComparison.Compare(baseline, other, MetricKeys.ValAcc);

        Assert.Equal(ComparisonMethod.PairedT, result.Estimate!.Method);
        Assert.Equal(0.383557, result.Estimate.Lower, 1e-5);
        Assert.Equal(ComparisonVerdict.Better, result.Verdict);
    }

    [Fact]
    public void DifferentSeeds_OrNoSeeds_AreWelch()
    {
        var baseline = Seeded(70.1, 71.3, 69.8, 70.6, 70.9);
        var shifted = new[] { 5L, 6, 7, 8, 9 }.Zip(new[] { 70.9, 71.8, 70.5, 71.0, 71.9 }, (s, v) => new SeededValue(v, s)).ToArray();

        var differentSeeds = GroupComparison.Compare(baseline, shifted, MetricKeys.ValAcc);
        var noSeeds = GroupComparison.Compare(Unseeded(70.1, 71.3, 69.8, 70.6, 70.9), Unseeded(70.9, 71.8, 70.5, 71.0, 71.9), MetricKeys.ValAcc);

        Assert.Equal(ComparisonMethod.WelchT, differentSeeds.Estimate!.Method);
        Assert.Equal(ComparisonMethod.WelchT, noSeeds.Estimate!.Method);
        Assert.Equal(ComparisonVerdict.NoClearDifference, noSeeds.Verdict);
    }

    [Fact]
    public void ARepeatedSeed_IsNotPaired()
    {
        SeededValue[] baseline = [new(1, 0), new(2, 0), new(3, 1)];
        SeededValue[] other = [new(1, 0), new(2, 1), new(3, 1)];

        Assert.Equal(ComparisonMethod.WelchT, GroupComparison.ChooseMethod(baseline, other));
    }

    [Fact]
    public void TenUnpairedRunsEach_AreBootstrapped()
    {
        var baseline = Unseeded(84.9, 85.1, 84.7, 85.3, 85.0, 84.8, 85.2, 84.6, 85.4, 85.0);
        var other = Unseeded(85.6, 86.4, 85.9, 86.1, 85.7, 86.0, 86.3, 85.8, 86.2, 85.5);

        Assert.Equal(ComparisonMethod.Bootstrap, GroupComparison.ChooseMethod(baseline, other));
        Assert.Equal(ComparisonMethod.WelchT, GroupComparison.ChooseMethod(baseline, other[..9]));
        Assert.Equal(ComparisonVerdict.Better, GroupComparison.Compare(baseline, other, MetricKeys.ValAcc).Verdict);
    }

    [Fact]
    public void DivergedRuns_AreLeftOut_AndCanLeaveTooFewRuns()
    {
        var result = GroupComparison.Compare(Unseeded(1.0, 1.1, 0.9), Unseeded(0.8, double.NaN, double.PositiveInfinity), MetricKeys.ValLoss);

        Assert.Equal((3, 1), (result.BaselineRuns, result.OtherRuns));
        Assert.Equal(0.8, result.OtherMean);
        Assert.Null(result.Estimate);
        Assert.Equal(ComparisonVerdict.TooFewRuns, result.Verdict);
    }

    [Fact]
    public void TwoRuns_AreTooFewRuns_EvenWithAnIntervalThatExcludesZero()
    {
        var result = GroupComparison.Compare(Unseeded(80.0, 80.1), Unseeded(90.0, 90.1, 90.2), MetricKeys.ValAcc);

        Assert.NotNull(result.Estimate);
        Assert.True(result.Estimate.ExcludesZero);
        Assert.Equal(ComparisonVerdict.TooFewRuns, result.Verdict);
    }
}
