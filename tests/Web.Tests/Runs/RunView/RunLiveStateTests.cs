using Tracker.Shared;
using Tracker.Web.Components.Library;
using Tracker.Web.Data;
using Tracker.Web.Features.Runs;

namespace Tracker.Web.Tests.Runs.RunView;

public class RunLiveStateTests
{
    private static readonly DateTime Started = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    private static RunLiveState State(RunStatus status = RunStatus.Running, int epochsCompleted = 0, int epochs = 10,
        IReadOnlyList<MetricSeries>? series = null, IReadOnlyDictionary<string, MetricSummary>? summaries = null)
    {
        var config = new RunConfig { Name = "run", Epochs = epochs };
        var detail = new RunDetail(7, "run", "default", "no dropout", status, null, [], config, 0, epochsCompleted,
            Started, status == RunStatus.Queued ? null : Started, null, null, null, null, summaries ?? new Dictionary<string, MetricSummary>());
        return new RunLiveState(detail, new RunMetrics(7, series ?? []));
    }

    private static EpochEvent Epoch(int epoch, long step, double trainLoss, double valAcc, DateTime? time = null) => new()
    {
        Epoch = epoch,
        Step = step,
        EpochSeconds = 1,
        Time = time ?? Started.AddSeconds(10 * epoch),
        Metrics = new Dictionary<string, double> { [MetricKeys.TrainLoss] = trainLoss, [MetricKeys.TrainAcc] = valAcc, [MetricKeys.ValAcc] = valAcc },
    };

    private static StepEvent Step(long step, int epoch, double trainLoss) => new()
    {
        Step = step, Epoch = epoch, Metrics = new Dictionary<string, double> { [MetricKeys.TrainLoss] = trainLoss },
    };

    [Fact]
    public void EpochEvents_GrowTheEpochSeries_AndTheEpochCount()
    {
        var state = State();

        Assert.True(state.Apply(Epoch(1, 16, 2.0, 40)));
        Assert.True(state.Apply(Epoch(2, 32, 1.5, 60)));

        Assert.Equal(2, state.EpochsCompleted);
        Assert.Equal([new ChartPoint(1, 40), new ChartPoint(2, 60)], state.EpochSeries(MetricKeys.ValAcc));
        Assert.Equal(20, state.ProgressPercent);
    }

    [Fact]
    public void AScriptsBatchOfPoints_FillsEachKeysStepSeries_SummariesAndEpochCount()
    {
        var state = State();

        Assert.False(state.Apply(new PointsEvent
        {
            Seq = 1,
            Points = [new("train/loss", 1, 2.5), new("train/loss", 2, 2.0, Epoch: 1), new("val/acc", 2, 55.5, Epoch: 2), new("lr", 1, double.NaN)],
        }));

        Assert.Equal([new ChartPoint(1, 2.5), new ChartPoint(2, 2.0)], state.StepSeries(MetricKeys.TrainLoss));
        Assert.Equal([new ChartPoint(2, 55.5)], state.StepSeries(MetricKeys.ValAcc));
        Assert.False(state.Has("lr")); // NaN is not stored, so the live page does not show it either
        Assert.Equal((2.0, 2.5, 2), (state.Summaries[MetricKeys.TrainLoss].Last, state.Summaries[MetricKeys.TrainLoss].Max, state.EpochsCompleted));
    }

    [Fact]
    public void StepEvents_AreNotUrgent_AndStayOutOfTheEpochSeries()
    {
        var state = State();

        Assert.False(state.Apply(Step(10, 1, 2.2)));
        state.Apply(Epoch(1, 16, 2.0, 40));

        Assert.Equal([new ChartPoint(1, 2.0)], state.EpochSeries(MetricKeys.TrainLoss));
        Assert.Equal([new ChartPoint(10, 2.2), new ChartPoint(16, 2.0)], state.StepSeries(MetricKeys.TrainLoss));
    }

    [Fact]
    public void APointSeenTwice_IsChartedAndCountedOnce()
    {
        var stored = new MetricSeries(MetricKeys.TrainLoss, [new MetricPointDto(50, 1, 2.0, Started)]);
        var state = State(series: [stored], summaries: new Dictionary<string, MetricSummary> { [MetricKeys.TrainLoss] = new(2.0, 50, 2.0, 2.0, 1) });

        state.Apply(Step(50, 1, 2.0)); // the same point again, live
        state.Apply(Epoch(1, 50, 2.0, 30)); // and once more in the epoch event that ends at that step

        Assert.Single(state.StepSeries(MetricKeys.TrainLoss));
        Assert.Equal(1, state.Summaries[MetricKeys.TrainLoss].Count);
    }

    [Fact]
    public void ChartData_IsANewListOnlyWhenItsPointsChanged()
    {
        var state = State();
        state.Apply(Epoch(1, 16, 2.0, 40));
        var before = state.EpochSeries(MetricKeys.ValAcc);

        state.Apply(Step(20, 2, 1.9));
        Assert.Same(before, state.EpochSeries(MetricKeys.ValAcc));

        state.Apply(Epoch(2, 32, 1.5, 60));
        Assert.NotSame(before, state.EpochSeries(MetricKeys.ValAcc));
    }

    [Fact]
    public void StoredPoints_SplitIntoEpochsByTheEpochEndSteps()
    {
        var state = State(epochsCompleted: 2, series:
        [
            new MetricSeries(MetricKeys.TrainAcc, [new MetricPointDto(16, 1, 40, Started.AddSeconds(10)), new MetricPointDto(32, 2, 60, Started.AddSeconds(20))]),
            new MetricSeries(MetricKeys.TrainLoss, [new MetricPointDto(10, 1, 2.5, Started), new MetricPointDto(16, 1, 2.0, Started), new MetricPointDto(32, 2, 1.0, Started)]),
        ]);

        Assert.Equal([new ChartPoint(1, 2.0), new ChartPoint(2, 1.0)], state.EpochSeries(MetricKeys.TrainLoss));
        Assert.Equal(Started.AddSeconds(20), state.LastEpochAt);
    }

    [Fact]
    public void Summaries_FollowLiveValues()
    {
        var state = State();
        state.Apply(Epoch(1, 16, 2.0, 40));
        state.Apply(Epoch(2, 32, 2.5, 30));

        var valAcc = state.Summaries[MetricKeys.ValAcc];
        Assert.Equal((30.0, 32L, 30.0, 40.0, 2L), (valAcc.Last, valAcc.LastStep, valAcc.Min, valAcc.Max, valAcc.Count));
    }

    [Fact]
    public void RunFinished_SetsTheStatusAndError()
    {
        var state = State();

        var urgent = state.Apply(new RunFinishedEvent
        {
            Status = RunOutcome.Diverged,
            Summary = new RunOutcomeSummary { EpochsCompleted = 3, Message = "The loss became NaN at step 40 (epoch 3)." },
        });

        Assert.True(urgent);
        Assert.Equal(RunStatus.Diverged, state.Status);
        Assert.Equal("The loss became NaN at step 40 (epoch 3).", state.Error);
        Assert.Equal(3, state.EpochsCompleted);
        Assert.True(state.CanRetry);
        Assert.False(state.IsActive);
    }

    [Fact]
    public void RunFinished_KeepsACancelledRunCancelled()
    {
        var state = State(status: RunStatus.Cancelled);

        state.Apply(new RunFinishedEvent { Status = RunOutcome.Succeeded, Summary = new RunOutcomeSummary() });

        Assert.Equal(RunStatus.Cancelled, state.Status);
    }

    [Fact]
    public void RunStarted_MovesAQueuedRunToRunning()
    {
        var state = State(status: RunStatus.Queued);

        state.Apply(new RunStartedEvent { Config = state.Config, Device = "cpu", ParameterCount = 1, Time = Started });

        Assert.Equal(RunStatus.Running, state.Status);
        Assert.Equal(Started, state.StartedAt);
    }

    [Fact]
    public void Eta_IsUnknownBeforeTheFirstEpoch()
    {
        var state = State();

        Assert.Null(state.EstimateRemaining(Started.AddMinutes(1)));
    }

    [Fact]
    public void Eta_IsTheAverageEpochTimesTheEpochsLeft_LessTheCurrentEpochSoFar()
    {
        var state = State(epochs: 10);
        state.Apply(Epoch(1, 16, 2.0, 40, Started.AddSeconds(10)));
        state.Apply(Epoch(2, 32, 1.5, 60, Started.AddSeconds(20)));

        var remaining = state.EstimateRemaining(Started.AddSeconds(24));

        Assert.Equal(TimeSpan.FromSeconds(8 * 10 - 4), remaining);
    }

    [Fact]
    public void Eta_IsUnknownOnceTheRunHasEnded()
    {
        var state = State();
        state.Apply(Epoch(1, 16, 2.0, 40));
        state.Apply(new RunFinishedEvent { Status = RunOutcome.Succeeded, Summary = new RunOutcomeSummary { EpochsCompleted = 1 } });

        Assert.Null(state.EstimateRemaining(Started.AddMinutes(1)));
    }
}
