using Tracker.Shared;
using Tracker.Training.Engine;

namespace Tracker.Training.Tests.Engine;

public class EarlyStoppingTests
{
    [Fact]
    public void StopsAfterPatienceEpochsWithoutImprovement_OnALoss()
    {
        var stopping = new EarlyStopping(new EarlyStoppingSettings { Metric = MetricKeys.ValLoss, Patience = 2, Mode = MetricMode.Min });
        Assert.False(stopping.ShouldStop(1, 1.0));
        Assert.False(stopping.ShouldStop(2, 0.8));
        Assert.False(stopping.ShouldStop(3, 0.9));
        Assert.True(stopping.ShouldStop(4, 0.8)); // equal is not better
        Assert.Equal(0.8, stopping.Best);
        Assert.Equal(2, stopping.BestEpoch);
    }

    [Fact]
    public void ImprovementResetsPatience_OnAnAccuracy()
    {
        var stopping = new EarlyStopping(new EarlyStoppingSettings { Metric = MetricKeys.ValAcc, Patience = 2, Mode = MetricMode.Max });
        Assert.False(stopping.ShouldStop(1, 50));
        Assert.False(stopping.ShouldStop(2, 40));
        Assert.False(stopping.ShouldStop(3, 60));
        Assert.False(stopping.ShouldStop(4, 59));
        Assert.True(stopping.ShouldStop(5, 58));
    }

    [Fact]
    public void NaN_NeverCountsAsImprovement()
    {
        var stopping = new EarlyStopping(new EarlyStoppingSettings { Metric = MetricKeys.ValLoss, Patience = 1, Mode = MetricMode.Min });
        Assert.False(stopping.ShouldStop(1, 1.0));
        Assert.True(stopping.ShouldStop(2, double.NaN));
    }
}
