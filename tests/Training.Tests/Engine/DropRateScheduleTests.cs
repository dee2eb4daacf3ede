using Tracker.Shared;
using Tracker.Training.Engine.Schedules;

namespace Tracker.Training.Tests.Engine;

public class DropRateScheduleTests
{
    private const int StepsPerEpoch = 10;

    private static DropRateSchedule Schedule(DropMode mode, DropSchedule schedule, double rate = 0.1, int cutoff = 3) =>
        new(new DropSettings { Rate = rate, Mode = mode, Schedule = schedule, CutoffEpoch = cutoff }, StepsPerEpoch);

    [Fact]
    public void Standard_IsTheRateAtEveryStep()
    {
        var schedule = Schedule(DropMode.Standard, DropSchedule.Constant);
        foreach (var step in new long[] { 0, 1, 29, 30, 1000 }) Assert.Equal(0.1, schedule.RateAt(step));
    }

    [Fact]
    public void EarlyConstant_IsTheRateUntilTheCutoffThenZero()
    {
        var schedule = Schedule(DropMode.Early, DropSchedule.Constant);
        Assert.Equal(0.1, schedule.RateAt(0));
        Assert.Equal(0.1, schedule.RateAt(29)); // last iteration of epoch 3
        Assert.Equal(0.0, schedule.RateAt(30)); // first iteration of epoch 4
        Assert.Equal(0.0, schedule.RateAt(500));
    }

    [Fact]
    public void EarlyLinearSchedule_IsAStraightLineFromTheRateToZeroAtTheLastCutoffIteration()
    {
        var schedule = Schedule(DropMode.Early, DropSchedule.Linear);
        const int cutoffSteps = 3 * StepsPerEpoch;
        Assert.Equal(0.1, schedule.RateAt(0), 15);
        Assert.Equal(0.0, schedule.RateAt(cutoffSteps - 1), 15);
        for (var step = 1; step < cutoffSteps - 1; step++)
        {
            // Constant slope: equal decrements between neighbours, as numpy.linspace(rate, 0, T).
            Assert.Equal(0.1 / (cutoffSteps - 1), schedule.RateAt(step - 1) - schedule.RateAt(step), 12);
            Assert.Equal(0.1 * (1 - step / (double)(cutoffSteps - 1)), schedule.RateAt(step), 12);
        }
        Assert.Equal(0.0, schedule.RateAt(cutoffSteps));
        Assert.Equal(0.0, schedule.RateAt(cutoffSteps + 100));
    }

    [Fact]
    public void Late_IsZeroUntilTheCutoffThenTheRate()
    {
        var schedule = Schedule(DropMode.Late, DropSchedule.Constant, rate: 0.4);
        Assert.Equal(0.0, schedule.RateAt(0));
        Assert.Equal(0.0, schedule.RateAt(29));
        Assert.Equal(0.4, schedule.RateAt(30));
        Assert.Equal(0.4, schedule.RateAt(10_000));
    }

    [Fact]
    public void LateLinear_IsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => Schedule(DropMode.Late, DropSchedule.Linear));
        Assert.Contains("constant", error.Message);
    }

    [Fact]
    public void EarlyWithoutCutoff_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => new DropRateSchedule(new DropSettings { Rate = 0.1, Mode = DropMode.Early }, StepsPerEpoch));
    }

    [Fact]
    public void ZeroRate_IsZeroInEveryMode()
    {
        foreach (var mode in Enum.GetValues<DropMode>())
            Assert.Equal(0.0, Schedule(mode, DropSchedule.Constant, rate: 0).RateAt(40));
    }
}

public class LearningRateScheduleTests
{
    [Fact]
    public void Warmup_RisesLinearlyFromZeroToThePeak()
    {
        var schedule = new LearningRateSchedule(peakLr: 1e-3, epochs: 10, warmupEpochs: 2, stepsPerEpoch: 5);
        Assert.Equal(0.0, schedule.RateAt(0));
        Assert.Equal(1e-3 * 4 / 9, schedule.RateAt(4), 15);
        Assert.Equal(1e-3, schedule.RateAt(9), 15);
    }

    [Fact]
    public void Cosine_StartsAtThePeak_PassesTheMidpoint_AndApproachesTheFloor()
    {
        var schedule = new LearningRateSchedule(peakLr: 1e-3, epochs: 10, warmupEpochs: 0, stepsPerEpoch: 10);
        Assert.Equal(1e-3, schedule.RateAt(0), 15);
        Assert.Equal(LearningRateSchedule.MinimumLr + 0.5 * (1e-3 - LearningRateSchedule.MinimumLr), schedule.RateAt(50), 15);
        Assert.True(schedule.RateAt(99) < 2e-6);
        for (var step = 1; step < 100; step++) Assert.True(schedule.RateAt(step) < schedule.RateAt(step - 1));
    }
}
