using Tracker.Shared;
using Tracker.Web.Features.Compare.Statistics;

namespace Tracker.Web.Tests.Compare.Statistics;

public class ComparisonVerdictsTests
{
    private static DifferenceEstimate Interval(double lower, double upper) =>
        new(ComparisonMethod.WelchT, (lower + upper) / 2, lower, upper, 0.95);

    [Theory]
    [InlineData(0.2, 1.0, MetricKeys.ValAcc, ComparisonVerdict.Better)]
    [InlineData(-1.0, -0.2, MetricKeys.ValAcc, ComparisonVerdict.Worse)]
    [InlineData(-0.2, 1.0, MetricKeys.ValAcc, ComparisonVerdict.NoClearDifference)]
    [InlineData(0.0, 1.0, MetricKeys.ValAcc, ComparisonVerdict.NoClearDifference)]
    [InlineData(0.01, 0.05, MetricKeys.ValLoss, ComparisonVerdict.Worse)]
    [InlineData(-0.05, -0.01, MetricKeys.ValLoss, ComparisonVerdict.Better)]
    [InlineData(-0.05, -0.01, MetricKeys.TrainLoss, ComparisonVerdict.Better)]
    public void TheIntervalDecides_InTheMetricsDirection(double lower, double upper, string key, ComparisonVerdict expected)
    {
        Assert.Equal(expected, ComparisonVerdicts.Decide(Interval(lower, upper), 3, 3, key));
    }

    [Theory]
    [InlineData(2, 5)]
    [InlineData(5, 2)]
    [InlineData(0, 0)]
    public void FewerThanThreeRunsInEitherGroup_IsAlwaysTooFewRuns(int baselineRuns, int otherRuns)
    {
        Assert.Equal(ComparisonVerdict.TooFewRuns, ComparisonVerdicts.Decide(Interval(5, 6), baselineRuns, otherRuns, MetricKeys.ValAcc));
    }

    [Fact]
    public void NoEstimate_IsTooFewRuns()
    {
        Assert.Equal(ComparisonVerdict.TooFewRuns, ComparisonVerdicts.Decide(null, 5, 5, MetricKeys.ValAcc));
    }

    [Fact]
    public void Describe_GivesTheWordsThePageShows()
    {
        Assert.Equal(["too few runs", "no clear difference", "better", "worse"],
            Enum.GetValues<ComparisonVerdict>().Select(v => v.Describe()));
    }
}
