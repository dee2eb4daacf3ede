using Tracker.Web.Features.Compare.Statistics;
using Tracker.Web.Features.Paper;

namespace Tracker.Web.Tests.Paper;

public class ReproductionVerdictTests
{
    [Theory]
    // Ours [lower, upper], runs, the paper's Δ.
    [InlineData(0.2, 1.1, 3, 0.8, Reproduction.Reproduced)]
    [InlineData(-1.1, -0.2, 3, -0.4, Reproduction.Reproduced)]
    [InlineData(-1.1, -0.2, 3, 0.8, Reproduction.Contradicted)]
    [InlineData(0.2, 1.1, 5, -0.4, Reproduction.Contradicted)]
    [InlineData(-0.3, 1.1, 5, 0.8, Reproduction.Inconclusive)]
    [InlineData(0.0, 1.1, 5, 0.8, Reproduction.Inconclusive)]
    [InlineData(0.2, 1.1, 2, 0.8, Reproduction.Inconclusive)]
    [InlineData(0.2, 1.1, 3, 0.0, Reproduction.Contradicted)]
    [InlineData(-0.2, 1.1, 3, 0.0, Reproduction.Inconclusive)]
    public void Judge_ComparesOurIntervalWithThePapersSign(double lower, double upper, int runs, double paperDelta, Reproduction expected)
    {
        Assert.Equal(expected, ReproductionVerdict.Judge(lower, upper, runs, paperDelta));
    }

    [Fact]
    public void Judge_ReadsAComparisonsEstimate_AndNoEstimateIsInconclusive()
    {
        var ours = new DifferenceEstimate(ComparisonMethod.WelchT, 0.97, 0.15, 1.78, 0.95);

        Assert.Equal(Reproduction.Reproduced, ReproductionVerdict.Judge(ours, 3, 1.1));
        Assert.Equal(Reproduction.Inconclusive, ReproductionVerdict.Judge(null, 3, 1.1));
    }

    [Fact]
    public void Judge_RefusesAReversedInterval()
    {
        Assert.Throws<ArgumentException>(() => ReproductionVerdict.Judge(1.0, 0.5, 3, 0.8));
    }

    [Fact]
    public void SummaryLine_CountsTheReproducedColumns()
    {
        Assert.Equal("early dropout: 2 of 3 columns reproduced, 1 inconclusive",
            ReproductionVerdict.SummaryLine("early dropout", [Reproduction.Reproduced, Reproduction.Inconclusive, Reproduction.Reproduced]));
        Assert.Equal("early dropout: 3 of 3 columns reproduced",
            ReproductionVerdict.SummaryLine("early dropout", [Reproduction.Reproduced, Reproduction.Reproduced, Reproduction.Reproduced]));
        Assert.Equal("late s.d.: 0 of 2 columns reproduced, 1 contradicted, 1 inconclusive",
            ReproductionVerdict.SummaryLine("late s.d.", [Reproduction.Contradicted, Reproduction.Inconclusive]));
        Assert.Equal("late s.d.: 1 of 1 column reproduced", ReproductionVerdict.SummaryLine("late s.d.", [Reproduction.Reproduced]));
        Assert.Equal("late s.d.: no columns to compare", ReproductionVerdict.SummaryLine("late s.d.", []));
    }
}
