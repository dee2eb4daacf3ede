using Tracker.Shared;
using Tracker.Training.Data;
using Tracker.Training.Engine;

namespace Tracker.Training.Tests.Engine;

public sealed class TrainerTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"trk-trainer-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    /// <summary>A few seconds of training on the synthetic set: small enough for every test run.</summary>
    private static RunConfig Tiny(string model = KnownModels.Mlp) => new()
    {
        Name = "tiny",
        Model = model,
        Dataset = KnownDatasets.Synthetic,
        Epochs = 3,
        BatchSize = 32,
        Lr = 3e-3,
        TrainSubset = 256,
        Seed = 5,
        Device = DeviceKind.Cpu,
        Dropout = new DropSettings { Rate = 0.2, Mode = DropMode.Early, Schedule = DropSchedule.Linear, CutoffEpoch = 2 },
        Analysis = new AnalysisSettings { EverySteps = 4, Gradients = true, GradientSamples = 2, WholeSetSamples = 64 },
    };

    private (RunFinishedEvent Finished, List<TrainingEvent> Events) Train(RunConfig config, string folder, Func<TrainingEvent, bool>? cancelAfter = null,
        Func<TrainerOptions, TrainerOptions>? options = null)
    {
        var events = new List<TrainingEvent>();
        using var cancellation = new CancellationTokenSource();
        // No system metrics unless a test asks: how many there are depends on how fast the machine trains, not on the run.
        var trainerOptions = new TrainerOptions { OutputDirectory = Path.Combine(_root, folder), StepEventEvery = 2, Threads = 1, SystemMetricsEvery = TimeSpan.Zero };
        trainerOptions = options?.Invoke(trainerOptions) ?? trainerOptions;
        var finished = new Trainer(config, trainerOptions, e =>
        {
            events.Add(e);
            if (cancelAfter?.Invoke(e) == true) cancellation.Cancel();
        }).Run(cancellation.Token);
        return (finished, events);
    }

    private static List<EpochEvent> Epochs(IEnumerable<TrainingEvent> events) => events.OfType<EpochEvent>().ToList();

    private static void AssertSameMetrics(IReadOnlyDictionary<string, double> expected, IReadOnlyDictionary<string, double> actual)
    {
        var keys = expected.Keys.Where(k => k != MetricKeys.SamplesPerSecond).Order().ToList();
        Assert.Equal(keys, actual.Keys.Where(k => k != MetricKeys.SamplesPerSecond).Order().ToList());
        foreach (var key in keys) Assert.True(expected[key] == actual[key], $"{key}: {expected[key]} vs {actual[key]}");
    }

    [Fact]
    public void SameConfigAndSeed_GiveIdenticalMetrics()
    {
        var (first, firstEvents) = Train(Tiny(), "a");
        var (second, secondEvents) = Train(Tiny(), "b");
        Assert.Equal(RunOutcome.Succeeded, first.Status);
        Assert.Equal(3, Epochs(firstEvents).Count);
        for (var i = 0; i < 3; i++) AssertSameMetrics(Epochs(firstEvents)[i].Metrics, Epochs(secondEvents)[i].Metrics);
        var firstAnalysis = firstEvents.OfType<AnalysisEvent>().Select(e => e.Metrics).ToList();
        var secondAnalysis = secondEvents.OfType<AnalysisEvent>().Select(e => e.Metrics).ToList();
        Assert.NotEmpty(firstAnalysis);
        for (var i = 0; i < firstAnalysis.Count; i++) AssertSameMetrics(firstAnalysis[i], secondAnalysis[i]);
    }

    [Fact]
    public void RunInterruptedAfterAnEpochAndResumed_EndsWithExactlyTheUninterruptedMetrics()
    {
        var config = Tiny(KnownModels.VitNano) with { Epochs = 3, DropPath = new DropSettings { Rate = 0.1 } };
        var (straight, straightEvents) = Train(config, "straight");

        var (interrupted, _) = Train(config, "resumed", cancelAfter: e => e is CheckpointEvent { Epoch: 1 });
        Assert.Equal(RunOutcome.Cancelled, interrupted.Status);
        Assert.Equal(1, interrupted.Summary.EpochsCompleted);

        var (resumed, resumedEvents) = Train(config, "resumed");
        Assert.Equal(RunOutcome.Succeeded, resumed.Status);
        Assert.Equal([2, 3], Epochs(resumedEvents).Select(e => e.Epoch));
        for (var epoch = 2; epoch <= 3; epoch++)
            AssertSameMetrics(Epochs(straightEvents)[epoch - 1].Metrics, Epochs(resumedEvents)[epoch - 2].Metrics);
        AssertSameMetrics(straight.Summary.FinalMetrics, resumed.Summary.FinalMetrics);
        Assert.Equal(straight.Summary.Steps, resumed.Summary.Steps);
    }

    [Fact]
    public void DropoutRateInEvents_FollowsTheEarlyLinearSchedule()
    {
        var (_, events) = Train(Tiny(), "schedule");
        var steps = events.OfType<StepEvent>().ToList();
        var rates = steps.Select(s => s.Metrics[MetricKeys.DropoutRate]).ToList();
        Assert.True(rates.Zip(rates.Skip(1)).All(p => p.First >= p.Second), "the rate only falls");
        Assert.Equal(0.0, Epochs(events)[^1].Metrics[MetricKeys.DropoutRate]); // after the cutoff
        Assert.True(rates[0] > 0.15);
    }

    [Fact]
    public void NaNLoss_EndsTheRunAsDivergedNamingTheStep()
    {
        var config = Tiny() with { Optimizer = OptimizerKind.Sgd, Lr = 1e12, Dropout = new DropSettings(), Analysis = new AnalysisSettings { EverySteps = 0 } };
        var (finished, _) = Train(config, "diverged");
        Assert.Equal(RunOutcome.Diverged, finished.Status);
        var named = System.Text.RegularExpressions.Regex.Match(finished.Summary.Message!, @"at step (\d+) \(epoch \d+\)");
        Assert.True(named.Success, finished.Summary.Message);
        // The loss is checked on the device and read later, but the run still ends at the step that diverged.
        Assert.Equal(long.Parse(named.Groups[1].Value) - 1, finished.Summary.Steps);
    }

    [Fact]
    public void RunThatDivergesBeforeItsFirstStepEvent_StillReportsItsLastFiniteStep()
    {
        var config = Tiny() with { Optimizer = OptimizerKind.Sgd, Lr = 1e12, Dropout = new DropSettings(), Analysis = new AnalysisSettings { EverySteps = 0 } };
        // No step event would fall before the divergence: the interval is longer than the run gets.
        var (finished, events) = Train(config, "diverged-early", options: o => o with { StepEventEvery = 1_000 });
        Assert.Equal(RunOutcome.Diverged, finished.Status);
        var badStep = long.Parse(System.Text.RegularExpressions.Regex.Match(finished.Summary.Message!, @"at step (\d+)").Groups[1].Value);
        Assert.True(badStep > 1, $"the first step is finite from the initial weights; diverged at {badStep}");

        var last = Assert.Single(events.OfType<StepEvent>());
        Assert.Equal(badStep - 1, last.Step);
        Assert.Equal(1, last.Epoch);
        Assert.True(double.IsFinite(last.Metrics[MetricKeys.TrainLoss]) && last.Metrics[MetricKeys.TrainLoss] > 0, $"loss {last.Metrics[MetricKeys.TrainLoss]}");
        Assert.IsType<RunFinishedEvent>(events[^1]);
        Assert.True(last.Seq < events[^1].Seq);

        // The same values a step event at that step reports when the interval reaches it: same seed, same run.
        var (_, everyStep) = Train(config, "diverged-every-step", options: o => o with { StepEventEvery = 1 });
        var reference = everyStep.OfType<StepEvent>().Single(e => e.Step == badStep - 1);
        Assert.Equal(reference.Metrics.OrderBy(m => m.Key), last.Metrics.OrderBy(m => m.Key));
        // There, the step already had its event: none is repeated at the divergence.
        Assert.Equal(everyStep.OfType<StepEvent>().Select(e => e.Step).Distinct().Count(), everyStep.OfType<StepEvent>().Count());
    }

    [Fact]
    public void EarlyStopping_StopsWhenTheMetricStallsAndSaysWhy()
    {
        var config = Tiny() with
        {
            Epochs = 6,
            Lr = 1e-9, // nothing is learned, so validation accuracy cannot improve
            Dropout = new DropSettings(),
            EarlyStopping = new EarlyStoppingSettings { Metric = MetricKeys.ValAcc, Patience = 2, Mode = MetricMode.Max },
        };
        var (finished, events) = Train(config, "stopping");
        Assert.Equal(RunOutcome.Succeeded, finished.Status);
        Assert.Equal(3, Epochs(events).Count);
        Assert.Contains("Early stopping", finished.Summary.Message);
    }

    [Fact]
    public void MissingDataset_FailsTheRunWithThePathInTheError()
    {
        var config = Tiny() with { Dataset = KnownDatasets.Cifar10, DatasetPath = "/nonexistent/cifar" };
        var (finished, _) = Train(config, "missing");
        Assert.Equal(RunOutcome.Failed, finished.Status);
        Assert.Contains("/nonexistent/cifar", finished.Summary.Error);
    }

    [Fact]
    public void InvalidConfig_IsRejectedBeforeTrainingWithFieldErrors()
    {
        var config = Tiny() with { Epochs = 0, Dropout = new DropSettings { Rate = 0.1, Mode = DropMode.Early } };
        var error = Assert.Throws<InvalidRunConfigException>(() => new Trainer(config, new TrainerOptions { OutputDirectory = _root }, _ => { }));
        Assert.Contains(error.Errors, e => e.Field == "epochs");
        Assert.Contains(error.Errors, e => e.Field == "dropout.cutoffEpoch");
    }

    [Fact]
    public void EventsComeInContractOrder_StartedEpochsCheckpointsFinished()
    {
        var (_, events) = Train(Tiny() with { Epochs = 2 }, "order");
        Assert.IsType<RunStartedEvent>(events[0]);
        Assert.IsType<RunFinishedEvent>(events[^1]);
        var kinds = events.Where(e => e is EpochEvent or CheckpointEvent).Select(e => e.GetType().Name).ToList();
        Assert.Equal(["EpochEvent", "CheckpointEvent", "EpochEvent", "CheckpointEvent"], kinds);
        var analysis = events.OfType<AnalysisEvent>().First();
        foreach (var key in new[] { MetricKeys.GradNorm, MetricKeys.WeightsDistInit, MetricKeys.GradDirVariance, MetricKeys.GradDirError })
            Assert.True(analysis.Metrics.ContainsKey(key), key);
        Assert.Equal(64, analysis.Metrics[MetricKeys.GradWholeSetSamples]);
    }

    [Fact]
    public void SystemMetrics_ComeAsTheirOwnAnalysisEventsAtTheCurrentStep_InTheGapFreeSequence()
    {
        var (finished, events) = Train(Tiny() with { Epochs = 2 }, "system", options: o => o with { SystemMetricsEvery = TimeSpan.FromMilliseconds(1) });

        Assert.Equal(RunOutcome.Succeeded, finished.Status);
        var system = events.OfType<AnalysisEvent>().Where(e => e.Metrics.ContainsKey(MetricKeys.CpuPercent)).ToList();
        Assert.NotEmpty(system);
        Assert.All(system, e => Assert.All(e.Metrics.Keys, key => Assert.StartsWith(MetricKeys.SystemPrefix, key)));
        Assert.All(system, e => Assert.True(e.Metrics[MetricKeys.RssMb] > 0));
        Assert.Equal(system.Count, system.Select(e => e.Step).Distinct().Count()); // one sample a step at most: (key, step) stays unique
        Assert.All(events.OfType<StepEvent>(), e => Assert.DoesNotContain(MetricKeys.CpuPercent, e.Metrics.Keys));
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Seq));
    }

    [Fact]
    public void MlpOnAFashionMnistSubset_PassesSeventyPercentValidationAccuracy()
    {
        Assert.True(File.Exists(Path.Combine(FashionMnist.DefaultPath, "train-images-idx3-ubyte.gz")),
            "Fashion-MNIST is missing: ./test.sh installs dataset-fashion-mnist");
        var config = new RunConfig
        {
            Name = "fashion-mlp",
            Model = KnownModels.Mlp,
            Dataset = KnownDatasets.FashionMnist,
            Epochs = 2,
            BatchSize = 128,
            Lr = 1e-3,
            TrainSubset = 6000,
            Seed = 0,
            Device = DeviceKind.Cpu,
            Analysis = new AnalysisSettings { EverySteps = 0 },
        };
        var (finished, _) = Train(config, "fashion");
        Assert.Equal(RunOutcome.Succeeded, finished.Status);
        Assert.True(finished.Summary.FinalMetrics[MetricKeys.ValAcc] > 70, $"val/acc {finished.Summary.FinalMetrics[MetricKeys.ValAcc]}");
    }

    [Fact]
    public void EveryEvent_IsNumberedInOrder_AndAResumedRunGoesOnAfterTheCheckpointsNumber()
    {
        var config = Tiny() with { Epochs = 3, Analysis = new AnalysisSettings() };
        var (interrupted, firstEvents) = Train(config, "numbered", cancelAfter: e => e is CheckpointEvent { Epoch: 1 });
        var checkpointSeq = firstEvents.OfType<CheckpointEvent>().Single().Seq;

        var (resumed, resumedEvents) = Train(config, "numbered");

        Assert.Equal(Enumerable.Range(1, firstEvents.Count).Select(i => (long)i), firstEvents.Select(e => e.Seq));
        Assert.Equal(firstEvents[^1], interrupted); // the returned finished event is the numbered one
        Assert.Equal(Enumerable.Range((int)checkpointSeq + 1, resumedEvents.Count).Select(i => (long)i), resumedEvents.Select(e => e.Seq));
        Assert.Equal(resumedEvents[^1].Seq, resumed.Seq);
    }

    [Fact]
    public void GivenTheLastSequenceStored_EventsContinueAfterIt()
    {
        var (_, events) = Train(Tiny() with { Epochs = 2 }, "continued", options: o => o with { LastSequence = 100 });

        Assert.Equal(101, events[0].Seq);
        Assert.Equal(Enumerable.Range(101, events.Count).Select(i => (long)i), events.Select(e => e.Seq));
    }

    [Fact]
    public void StagedCheckpoints_BecomeTheResumePointOnlyWhenPromoted()
    {
        var folder = Path.Combine(_root, "staged");
        var (_, events) = Train(Tiny() with { Epochs = 2 }, "staged", options: o => o with { StageCheckpoints = true });

        var checkpoints = events.OfType<CheckpointEvent>().ToList();
        Assert.Equal([Checkpoint.StagedPath(folder, 1), Checkpoint.StagedPath(folder, 2)], checkpoints.Select(c => c.Path));
        Assert.False(File.Exists(Path.Combine(folder, Checkpoint.FileName)));
        Checkpoint.Promote(checkpoints[0].Path);
        Assert.Equal(1, Checkpoint.ReadMeta(Path.Combine(folder, Checkpoint.FileName)).Epoch);
        Assert.Equal(checkpoints[0].Seq, Checkpoint.ReadMeta(Path.Combine(folder, Checkpoint.FileName)).Sequence);
        Checkpoint.DiscardStaged(folder);
        Assert.False(File.Exists(checkpoints[1].Path));
        Assert.True(File.Exists(Path.Combine(folder, Checkpoint.FileName)));
    }

    [Fact]
    public void BestValues_AreKeptOnlyForMetricsWithADirection_AndTheBestEpochFollowsTheEarlyStoppingMetric()
    {
        var config = Tiny() with
        {
            Epochs = 4,
            EarlyStopping = new EarlyStoppingSettings { Metric = MetricKeys.ValLoss, Patience = 10, Mode = MetricMode.Min },
        };
        var (finished, events) = Train(config, "best");

        var best = finished.Summary.BestMetrics;
        Assert.All(best.Keys, key => Assert.True(MetricKeys.HasBest(key), $"{key} has no direction, so no best"));
        Assert.DoesNotContain(MetricKeys.LearningRate, best.Keys);
        Assert.DoesNotContain(MetricKeys.SamplesPerSecond, best.Keys);
        var losses = Epochs(events).Select(e => (e.Epoch, Loss: e.Metrics[MetricKeys.ValLoss])).ToList();
        Assert.Equal(losses.MinBy(l => l.Loss).Epoch, finished.Summary.BestEpoch);
        Assert.Equal(losses.Min(l => l.Loss), best[MetricKeys.ValLoss]);
    }
}
