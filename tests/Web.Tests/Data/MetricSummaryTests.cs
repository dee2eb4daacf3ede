using Tracker.Web.Data;

namespace Tracker.Web.Tests.Data;

public class MetricSummaryTests
{
    [Fact]
    public void With_KeepsTheLatestStepsValueAsLast_AndTheExtremes()
    {
        var summary = MetricSummary.Of(step: 10, value: 5).With(20, 3).With(15, 9); // a resumed batch of an older step

        Assert.Equal(new MetricSummary(Last: 3, LastStep: 20, Min: 3, Max: 9, Count: 3), summary);
    }

    [Fact]
    public void With_APointSeenBefore_IsNotCountedTwice()
    {
        var summary = MetricSummary.Of(10, 5).With(10, 5, isNew: false);

        Assert.Equal(1, summary.Count);
    }
}
