using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Features.Runs;

namespace Tracker.Web.Tests.Runs.RunView;

public class LiveProgressTests
{
    private static readonly DateTime Started = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    /// <summary>Fashion-MNIST in batches of 128: 469 steps an epoch (60,000 / 128, the last batch partial).</summary>
    internal static RunLiveState State(RunStatus status = RunStatus.Running, int epochs = 2, RunConfig? config = null, bool loggedByScript = false,
        IReadOnlyList<MetricSeries>? series = null)
    {
        config ??= new RunConfig { Name = "run", Dataset = KnownDatasets.FashionMnist, BatchSize = 128, Epochs = epochs, StepEventEvery = 5 };
        var detail = new RunDetail(7, "run", "default", "no dropout", status, null, [], config, 0, 0,
            Started, status == RunStatus.Queued ? null : Started, null, null, null, null, new Dictionary<string, MetricSummary>(), LoggedByScript: loggedByScript);
        return new RunLiveState(detail, new RunMetrics(7, series ?? []));
    }

    internal static StepEvent Step(long step, double secondsAfterStart, int epoch = 1) => new()
    {
        Step = step, Epoch = epoch, Time = Started.AddSeconds(secondsAfterStart),
        Metrics = new Dictionary<string, double> { [MetricKeys.TrainLoss] = 2.0 },
    };

    private static EpochEvent EpochEnd(int epoch, long step, double secondsAfterStart) => new()
    {
        Epoch = epoch, Step = step, EpochSeconds = 1, Time = Started.AddSeconds(secondsAfterStart),
        Metrics = new Dictionary<string, double> { [MetricKeys.TrainLoss] = 1.0, [MetricKeys.TrainAcc] = 50 },
    };

    [Fact]
    public void StepsPerEpoch_ComeFromTheConfigBeforeTheFirstEpochEnds()
    {
        Assert.Equal(469, LiveProgress.PlannedStepsPerEpoch(new RunConfig { Dataset = KnownDatasets.FashionMnist, BatchSize = 128 }));
        Assert.Equal(8, LiveProgress.PlannedStepsPerEpoch(new RunConfig { Dataset = KnownDatasets.Synthetic, BatchSize = 32, TrainSubset = 256 }));
        Assert.Equal(20, LiveProgress.PlannedStepsPerEpoch(new RunConfig { Dataset = KnownDatasets.Cifar10, BatchSize = 64, MaxStepsPerEpoch = 20 }));
        Assert.Null(LiveProgress.PlannedStepsPerEpoch(new RunConfig { Dataset = KnownDatasets.Npz, DatasetPath = "/x.npz" }));
    }

    [Fact]
    public void StepsPerEpoch_AreTheFirstEpochsOnceItEnded()
    {
        var state = State(config: new RunConfig { Name = "run", Dataset = KnownDatasets.FashionMnist, BatchSize = 128, Epochs = 3, MaxStepsPerEpoch = 400 });
        state.Apply(EpochEnd(1, 300, 30)); // an epoch cut shorter than the config says (a subset smaller than asked)

        Assert.Equal(300, LiveProgress.StepsPerEpochOf(state));
    }

    [Fact]
    public void BeforeAnyStepEvent_NothingIsKnownOfTheEpochYet()
    {
        var progress = State().Progress(Started.AddSeconds(3));

        Assert.Equal(1, progress.Epoch);
        Assert.Null(progress.StepsInEpoch);
        Assert.Null(progress.SamplesPerSecond);
        Assert.Null(progress.Remaining);
        Assert.Equal(0, progress.Percent);
    }

    [Fact]
    public void InTheFirstEpoch_StepEventsGiveStepsDone_Speed_AndTimeLeftThatCountsDown()
    {
        var state = State(epochs: 2);
        state.Apply(Step(5, 5));
        state.Apply(Step(10, 7));

        var progress = state.Progress(Started.AddSeconds(7));

        Assert.Equal(10, progress.StepsInEpoch);
        Assert.Equal(469, progress.StepsPerEpoch);
        // 5 steps in 2 s between the two events: 2.5 steps/s of 128 samples.
        Assert.Equal(320, progress.SamplesPerSecond!.Value, precision: 6);
        // 938 steps planned, 928 left at 2.5 steps/s.
        Assert.Equal(928 / 2.5, progress.Remaining!.Value.TotalSeconds, precision: 3);
        Assert.Equal(100.0 * 10 / 469 / 2, progress.Percent, precision: 6);
        // Without another event the estimate still counts down.
        Assert.Equal(928 / 2.5 - 10, state.Progress(Started.AddSeconds(17)).Remaining!.Value.TotalSeconds, precision: 3);
    }

    [Fact]
    public void ASingleStepEvent_MeasuresTheSpeedFromTheRunsStart()
    {
        var state = State();
        state.Apply(Step(5, 4));

        Assert.Equal(5.0 / 4 * 128, state.Progress(Started.AddSeconds(4)).SamplesPerSecond!.Value, precision: 6);
    }

    [Fact]
    public void AfterAnEpoch_TimeLeftIsTheAverageEpochLessTheShareOfThisOneDone()
    {
        var state = State(epochs: 3, config: new RunConfig { Name = "run", Dataset = KnownDatasets.Synthetic, BatchSize = 32, TrainSubset = 320, Epochs = 3, StepEventEvery = 5 });
        state.Apply(EpochEnd(1, 10, 20)); // 20 s an epoch, validation included
        state.Apply(Step(15, 25, epoch: 2));

        var progress = state.Progress(Started.AddSeconds(27));

        Assert.Equal(2, progress.Epoch);
        Assert.Equal(5, progress.StepsInEpoch);
        Assert.Equal(10, progress.StepsPerEpoch);
        // Half of epoch 2 done at 25 s: 1.5 epochs of 20 s left then, 2 s later 28 s.
        Assert.Equal(28, progress.Remaining!.Value.TotalSeconds, precision: 3);
        Assert.Equal(100.0 * 1.5 / 3, progress.Percent, precision: 6);
        Assert.Equal(5.0 / 5 * 32, progress.SamplesPerSecond!.Value, precision: 6); // 5 steps in the 5 s since the epoch ended
    }

    [Fact]
    public void AFinishedRun_HasNoTimeLeft_AndItsEpochShare()
    {
        var state = State(epochs: 2);
        state.Apply(Step(5, 5));
        state.Apply(new RunFinishedEvent { Status = RunOutcome.Cancelled, Summary = new RunOutcomeSummary { EpochsCompleted = 0 } });

        var progress = state.Progress(Started.AddSeconds(10));

        Assert.Null(progress.Remaining);
        Assert.Null(progress.StepsInEpoch);
        Assert.Equal(0, progress.Percent);
    }

    [Fact]
    public void APageOpenedMidEpoch_StartsFromTheFurthestStoredStep()
    {
        MetricPointDto Point(long step, double seconds) => new(step, 1, 2.0, Started.AddSeconds(seconds));
        var state = State(series: [new MetricSeries(MetricKeys.TrainLoss, [Point(5, 5), Point(10, 9), Point(15, 13)])]);

        var progress = state.Progress(Started.AddSeconds(14));

        Assert.Equal(15, state.LatestStep);
        Assert.Equal(15, progress.StepsInEpoch);
    }
}
