using Tracker.Shared;
using Tracker.Web.Features.Sweeps;

namespace Tracker.Web.Tests.Sweeps;

public class MedianStoppingTests
{
    // Five completed runs' val/acc per epoch. At epoch 3 their values are 68.0, 70.4, 72.5, 66.1, 75.0: median 70.4.
    private static readonly IReadOnlyList<IReadOnlyDictionary<int, double>> Completed =
    [
        new Dictionary<int, double> { [1] = 40.0, [2] = 60.0, [3] = 68.0, [4] = 72.0 },
        new Dictionary<int, double> { [1] = 45.0, [2] = 62.0, [3] = 70.4, [4] = 74.0 },
        new Dictionary<int, double> { [1] = 50.0, [2] = 66.0, [3] = 72.5, [4] = 76.0 },
        new Dictionary<int, double> { [1] = 38.0, [2] = 58.0, [3] = 66.1 },
        new Dictionary<int, double> { [1] = 52.0, [2] = 69.0, [3] = 75.0, [4] = 79.0 },
    ];

    [Fact]
    public void BelowTheMedianAccuracy_Stops_WithAnExplanation()
    {
        var decision = new MedianStopping(MetricKeys.ValAcc).Decide(Completed, epoch: 3, value: 61.2);

        Assert.True(decision.Stop);
        Assert.Equal(70.4, decision.Median);
        Assert.Equal(5, decision.ComparedRuns);
        Assert.Equal("val/acc 61.2 % at epoch 3 is below the median 70.4 % of 5 completed runs", decision.Explanation);
    }

    [Fact]
    public void AtOrAboveTheMedian_GoesOn()
    {
        var rule = new MedianStopping(MetricKeys.ValAcc);

        var above = rule.Decide(Completed, 3, 71.0);
        var at = rule.Decide(Completed, 3, 70.4);

        Assert.False(above.Stop);
        Assert.Equal("val/acc 71.0 % at epoch 3 is above the median 70.4 % of 5 completed runs", above.Explanation);
        Assert.False(at.Stop);
        Assert.Equal("val/acc 70.4 % at epoch 3 is at the median 70.4 % of 5 completed runs", at.Explanation);
    }

    [Fact]
    public void ForALoss_AboveTheMedianStops()
    {
        IReadOnlyList<IReadOnlyDictionary<int, double>> losses =
        [
            new Dictionary<int, double> { [2] = 0.9 },
            new Dictionary<int, double> { [2] = 0.7 },
            new Dictionary<int, double> { [2] = 0.8 },
        ];
        var rule = new MedianStopping(MetricKeys.ValLoss);

        var worse = rule.Decide(losses, 2, 0.85);
        var better = rule.Decide(losses, 2, 0.75);

        Assert.True(worse.Stop);
        Assert.Equal("val/loss 0.85 at epoch 2 is above the median 0.8 of 3 completed runs", worse.Explanation);
        Assert.False(better.Stop);
    }

    [Fact]
    public void EvenCount_TakesTheMeanOfTheMiddleTwo_AndShorterRunsAreLeftOut()
    {
        // Epoch 4: the fourth run stopped at epoch 3, so 72, 74, 76, 79 remain; median (74 + 76) / 2 = 75.
        var decision = new MedianStopping(MetricKeys.ValAcc).Decide(Completed, 4, 74.5);

        Assert.Equal(4, decision.ComparedRuns);
        Assert.Equal(75.0, decision.Median);
        Assert.True(decision.Stop);
    }

    [Fact]
    public void TooFewCompletedRuns_NoDecision()
    {
        var decision = new MedianStopping(MetricKeys.ValAcc, MinimumCompletedRuns: 6).Decide(Completed, 3, 10.0);

        Assert.False(decision.Stop);
        Assert.Null(decision.Median);
        Assert.Equal("No decision: 5 completed runs reached epoch 3; the rule needs at least 6.", decision.Explanation);
    }

    [Fact]
    public void BeforeTheMinimumEpoch_NoDecision()
    {
        var decision = new MedianStopping(MetricKeys.ValAcc, MinimumEpoch: 4).Decide(Completed, 3, 10.0);

        Assert.False(decision.Stop);
        Assert.Equal("No decision before epoch 4; this is epoch 3.", decision.Explanation);
    }

    [Fact]
    public void ANaNValue_IsWorseThanAnyMedian()
    {
        Assert.True(new MedianStopping(MetricKeys.ValLoss).Decide([new Dictionary<int, double> { [1] = 1 }, new Dictionary<int, double> { [1] = 2 }, new Dictionary<int, double> { [1] = 3 }], 1, double.NaN).Stop);
    }
}
