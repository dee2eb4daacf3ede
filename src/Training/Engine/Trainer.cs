using System.Diagnostics;
using Tracker.Shared;
using Tracker.Training.Data;
using Tracker.Training.Engine.Analysis;
using Tracker.Training.Engine.Schedules;
using Tracker.Training.Models;
using Tracker.Training.Regularization;
using Tracker.Training.Torch;
using Tracker.Training.Torch.Optim;
using F = Tracker.Training.Torch.torch.nn.functional;

namespace Tracker.Training.Engine;

/// <summary>How a run is executed, as opposed to what it trains (that is the <see cref="RunConfig"/>).</summary>
public sealed record TrainerOptions
{
    /// <summary>Folder for this run's checkpoint; a checkpoint found there is resumed.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Passed through to the run-started event.</summary>
    public long? RunId { get; init; }

    /// <summary>
    /// The last sequence number the run's events already used (the highest one stored); the next event gets one more.
    /// Null: continue from the checkpoint's own (the standalone CLI). Sequence numbers are never reused, so a client
    /// that saw an event of an interrupted attempt never sees another event under its number.
    /// </summary>
    public long? LastSequence { get; init; }

    /// <summary>
    /// When true, each epoch's checkpoint is written beside the resume point (<see cref="Checkpoint.StagedPath"/>) and
    /// its <see cref="CheckpointEvent.Path"/> names it: whoever stores the events promotes it
    /// (<see cref="Checkpoint.Promote"/>) once every event up to it is stored, so a resume never skips unstored epochs.
    /// False: the checkpoint is the resume point at once (the CLI, whose stdout is its store).
    /// </summary>
    public bool StageCheckpoints { get; init; }

    /// <summary>Overrides the config's <see cref="RunConfig.StepEventEvery"/> (the CLI's --step-every); null = the config's.</summary>
    public int? StepEventEvery { get; init; }

    /// <summary>
    /// System metrics (CPU, memory, GPUs: <see cref="SystemMetrics"/>) at the first step boundary after each such
    /// interval, as an analysis event; zero or less = none. Ten seconds, as the Python client reports them.
    /// </summary>
    public TimeSpan SystemMetricsEvery { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>libtorch's intra-op CPU threads; null = <see cref="DefaultThreads"/>.</summary>
    public int? Threads { get; init; }

    /// <summary>
    /// One: matrix products already run on OpenBLAS's own pool of one thread per core, and two
    /// pools each sized to the cores fight over them. ViT-nano training on 2 cores: libtorch 1 +
    /// OpenBLAS 2 threads gave 331 samples/s, 2 + 1 gave 315, 2 + 2 only 194.
    /// </summary>
    public const int DefaultThreads = 1;

    /// <summary>
    /// Whether GPU training steps may run as CUDA graphs (<see cref="CudaGraphSteps"/>); false keeps every step eager
    /// (the benchmark's comparison). The run-started event says which way its steps run.
    /// </summary>
    public bool CudaGraphs { get; init; } = true;

    /// <summary>Checkpoint whose matching weights initialise the model (fine-tuning, see <see cref="FineTuning"/>); null = fresh initialisation.</summary>
    public string? InitialWeightsPath { get; init; }
}

/// <summary>
/// Runs one training run from its config: the loop, the paper's schedules and regularizers,
/// validation every epoch, analysis metrics on a schedule, a checkpoint every epoch (and resume
/// from it), divergence and cancellation. Everything it has to say goes out as events.
/// </summary>
public sealed class Trainer
{
    private readonly RunConfig _config;
    private readonly TrainerOptions _options;
    private readonly Action<TrainingEvent> _report;
    private long _sequence;

    public Trainer(RunConfig config, TrainerOptions options, Action<TrainingEvent> emit)
    {
        var errors = RunConfigValidator.Validate(config);
        if (errors.Count > 0) throw new InvalidRunConfigException(errors);
        (_config, _options, _report) = (config, options, emit);
        _sequence = options.LastSequence ?? 0;
    }

    /// <summary>Every event gets the run's next sequence number here, where it is produced.</summary>
    private T Emit<T>(T trainingEvent) where T : TrainingEvent
    {
        var sequenced = (T)(((TrainingEvent)trainingEvent) with { Seq = ++_sequence });
        _report(sequenced);
        return sequenced;
    }

    /// <summary>Trains to the end (or to early stopping, divergence, cancellation or failure) and returns the final event, which was also emitted.</summary>
    public RunFinishedEvent Run(CancellationToken cancellation = default)
    {
        // The best epoch is judged by what early stopping watches, so the two always agree.
        var progress = new RunProgress(_config.EarlyStopping?.Metric ?? MetricKeys.ValAcc);
        RunFinishedEvent finished;
        try
        {
            finished = Train(progress, cancellation);
        }
        catch (OperationCanceledException)
        {
            finished = progress.Finish(RunOutcome.Cancelled, "Cancelled.");
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            finished = progress.Finish(RunOutcome.Failed, null, error.Message);
        }
        return Emit(finished);
    }

    private RunFinishedEvent Train(RunProgress progress, CancellationToken cancellation)
    {
        var config = _config;
        torch.set_num_threads(_options.Threads ?? TrainerOptions.DefaultThreads);
        var device = DeviceSelection.Resolve(config.Device);
        torch.manual_seed((ulong)config.Seed);

        var splits = DatasetCatalog.Load(config.Dataset, config.DatasetPath).WithTrainSubset(config.TrainSubset, config.Seed);
        var train = splits.Train;
        using var model = ModelFactory.Create(config.Model, train.Channels, train.Height, splits.ClassCount,
            config.Dropout.Rate, config.DropPath.Rate, config.DropConnect);
        model.to(device);
        // Before the optimizer and the distance-from-init baseline are made, so both start from the parent's weights.
        if (_options.InitialWeightsPath is { } initialWeights) FineTuning.InitialiseFrom(initialWeights, model);

        var trainLoader = new BatchLoader(train, splits.Normalization, config.BatchSize, device, shuffle: true, seed: config.Seed,
            augment: config.Augment, maxSteps: config.MaxStepsPerEpoch);
        var validationLoader = new BatchLoader(splits.Test, splits.Normalization, config.BatchSize, device, shuffle: false);
        var analysisData = config.Analysis.Gradients ? new AnalysisData(splits, config, device) : null;
        var stepsPerEpoch = trainLoader.StepsPerEpoch;
        var stepEventEvery = _options.StepEventEvery ?? config.StepEventEvery;

        using var optimizer = CreateOptimizer(model);
        var learningRate = new LearningRateSchedule(config.Lr, config.Epochs, config.WarmupEpochs, stepsPerEpoch);
        var dropoutRate = new DropRateSchedule(config.Dropout, stepsPerEpoch);
        var dropPathRate = new DropRateSchedule(config.DropPath, stepsPerEpoch);
        var penalty = new WeightPenalty(config.L1, config.L2);
        var earlyStopping = config.EarlyStopping is { } stopping ? new EarlyStopping(stopping) : null;
        using var analysis = new GradientAnalysis(model.parameters().ToList());

        var checkpointPath = Path.Combine(_options.OutputDirectory, Checkpoint.FileName);
        var startEpoch = 1;
        if (File.Exists(checkpointPath))
        {
            var meta = Checkpoint.Restore(checkpointPath, model, optimizer, analysis);
            progress.Restore(meta);
            if (_options.LastSequence is null) _sequence = Math.Max(_sequence, meta.Sequence);
            if (earlyStopping is not null) earlyStopping.State = (meta.EarlyStoppingBest, meta.EarlyStoppingBestEpoch, meta.EarlyStoppingWait);
            startEpoch = meta.Epoch + 1;
        }

        // The step's training loss, accuracy and divergence check stay on the device (StepTotals) and are read at
        // step events and at the end of each epoch: a GPU step that waited for its loss would stall every step.
        using var totals = new StepTotals(device, progress.Steps);
        var graphs = CudaGraphSteps.Create(config, device, _options.CudaGraphs, optimizer,
            (images, labels, size) => TrainStep(model, optimizer, penalty, totals, images, labels, size, zeroInPlace: true), out var execution);
        using var graphSteps = graphs;
        Emit(new RunStartedEvent
        {
            RunId = _options.RunId, Config = config, Device = device.ToString(), ParameterCount = model.ParameterCount,
            Execution = device.Type == DeviceType.CPU ? null : execution,
        });
        var systemMetrics = _options.SystemMetricsEvery > TimeSpan.Zero
            ? new SystemMetrics(_options.SystemMetricsEvery, SystemMetrics.FindOnPath("nvidia-smi"))
            : null;

        long lastStepEvent = -1;
        // A diverged run's last finite values go out as a step event at its last finite step, unless one is there
        // already: a run that diverges before its first step event otherwise stores no training-loss point at all.
        RunFinishedEvent? CheckDivergence(StepTotalsReading reading, int epoch)
        {
            if (reading.FirstBadStep is not { } badStep) return null;
            var lastFinite = badStep - 1;
            if (reading.FiniteSamples > 0 && lastFinite >= 1 && lastFinite != lastStepEvent)
            {
                // Step N ran with the rates scheduled for step index N - 1 (see the loop), as its own step event reports them.
                Emit(new StepEvent
                {
                    Step = lastFinite, Epoch = epoch, Metrics = new Dictionary<string, double>
                    {
                        [MetricKeys.TrainLoss] = reading.FiniteLossSum / reading.FiniteSamples,
                        [MetricKeys.LearningRate] = learningRate.RateAt(lastFinite - 1),
                        [MetricKeys.DropoutRate] = dropoutRate.RateAt(lastFinite - 1),
                        [MetricKeys.DropPathRate] = dropPathRate.RateAt(lastFinite - 1),
                    },
                });
            }
            return Diverged(reading, progress, epoch);
        }

        for (var epoch = startEpoch; epoch <= config.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            model.train();
            totals.ResetEpoch();
            long seen = 0;
            StepTotalsReading? reading = null;
            foreach (var nextBatch in trainLoader.Epoch(epoch))
            {
                using var batch = nextBatch;
                cancellation.ThrowIfCancellationRequested();
                var step = progress.Steps;
                optimizer.LearningRate = learningRate.RateAt(step);
                var (dropout, dropPath) = (dropoutRate.RateAt(step), dropPathRate.RateAt(step));
                model.SetDropoutRate(dropout);
                model.SetDropPathRate(dropPath);
                var ratesSteady = dropoutRate.RateAt(step + 1) == dropout && dropPathRate.RateAt(step + 1) == dropPath;
                if (graphs?.TryStep(batch, dropout, dropPath, ratesSteady) != true)
                {
                    (optimizer as AdamW)?.StageLearningRate();
                    TrainStep(model, optimizer, penalty, totals, batch.Images, batch.Labels, batch.Size, zeroInPlace: graphs is not null);
                }
                seen += batch.Size;
                progress.Steps++;

                var stepEventDue = stepEventEvery > 0 && progress.Steps % stepEventEvery == 0;
                if (stepEventDue || progress.Steps % DivergenceCheckEvery == 0)
                {
                    reading = totals.Read();
                    if (CheckDivergence(reading, epoch) is { } diverged) return diverged;
                }
                if (stepEventDue)
                {
                    Emit(new StepEvent { Step = progress.Steps, Epoch = epoch, Metrics = StepMetrics(reading!.LossSum / seen, optimizer.LearningRate, model) });
                    lastStepEvent = progress.Steps;
                }
                if (config.Analysis.EverySteps > 0 && progress.Steps % config.Analysis.EverySteps == 0)
                {
                    Emit(new AnalysisEvent { Step = progress.Steps, Epoch = epoch, Metrics = Analyse(model, analysis, analysisData, progress.Steps) });
                    graphs?.RestoreGradients(); // the gradient-direction metrics replace the parameters' gradients
                }
                // Its own event with only sys/ keys: step events keep their fixed set of training metrics, and the
                // store keeps each (key, step) once whatever else reports at that step.
                if (systemMetrics?.SampleIfDue() is { Count: > 0 } system)
                    Emit(new AnalysisEvent { Step = progress.Steps, Epoch = epoch, Metrics = system });
            }
            reading = totals.Read();
            if (CheckDivergence(reading, epoch) is { } divergedAtEnd) return divergedAtEnd;
            var trainSeconds = clock.Elapsed.TotalSeconds;

            var metrics = StepMetrics(reading.LossSum / Math.Max(seen, 1), optimizer.LearningRate, model);
            metrics[MetricKeys.TrainAcc] = 100.0 * reading.Correct / Math.Max(seen, 1);
            metrics[MetricKeys.SamplesPerSecond] = seen / Math.Max(trainSeconds, 1e-9);
            foreach (var (key, value) in Evaluate(model, validationLoader, config.LabelSmoothing)) metrics[key] = value;
            progress.CompleteEpoch(epoch, metrics);
            Emit(new EpochEvent { Epoch = epoch, Step = progress.Steps, Metrics = metrics, EpochSeconds = clock.Elapsed.TotalSeconds });

            var stop = earlyStopping is not null && metrics.TryGetValue(earlyStopping.Metric, out var monitored) && earlyStopping.ShouldStop(epoch, monitored);
            var (best, bestEpoch, wait) = earlyStopping?.State ?? (null, null, 0);
            var savedTo = _options.StageCheckpoints ? Checkpoint.StagedPath(_options.OutputDirectory, epoch) : checkpointPath;
            Checkpoint.Save(savedTo, model, optimizer, analysis, progress.ToMeta() with
            {
                EarlyStoppingBest = best,
                EarlyStoppingBestEpoch = bestEpoch,
                EarlyStoppingWait = wait,
                Sequence = _sequence + 1, // the checkpoint event's own
            });
            Emit(new CheckpointEvent { Epoch = epoch, Step = progress.Steps, Path = savedTo });

            if (stop)
                return progress.Finish(RunOutcome.Succeeded,
                    $"Early stopping: {earlyStopping!.Metric} did not improve for {earlyStopping.EpochsWithoutImprovement} epochs (best {best:G4} at epoch {bestEpoch}).");
        }
        return progress.Finish(RunOutcome.Succeeded, graphs?.CaptureFailure is { } failure
            ? $"Capturing a training step as a CUDA graph failed ({failure}); the run went on with eager steps."
            : null);
    }

    /// <summary>How often (in steps) the device's running totals are read when no step event reads them sooner.</summary>
    private const int DivergenceCheckEvery = 50;

    /// <summary>
    /// One optimizer step on a batch, everything queued on the device and nothing read back, so a CUDA graph can
    /// capture it. <paramref name="zeroInPlace"/>: keep the gradients' memory (graph mode) rather than dropping it.
    /// </summary>
    private void TrainStep(ClassifierModel model, Optimizer optimizer, WeightPenalty penalty, StepTotals totals,
        Tensor images, Tensor labels, int size, bool zeroInPlace)
    {
        using var scope = torch.NewDisposeScope();
        if (zeroInPlace) optimizer.ZeroGradInPlace();
        else optimizer.zero_grad();
        var logits = model.forward(images);
        var classification = F.cross_entropy(logits, labels, _config.LabelSmoothing);
        var loss = _config.RDrop is { } rDrop
            ? RDrop.Loss(logits, model.forward(images), labels, rDrop.Alpha, _config.LabelSmoothing)
            : classification;
        if (penalty.Compute(model.parameters()) is { } term) loss += term;
        loss.backward();
        if (_config.GradClip is { } maxNorm) optimizer.clip_grad_norm(maxNorm);
        optimizer.step();
        totals.Add(classification, loss, logits, labels, size);
    }

    /// <summary>The run's end when a loss so far was not finite: the step that diverged is the one reported.</summary>
    private static RunFinishedEvent? Diverged(StepTotalsReading reading, RunProgress progress, int epoch)
    {
        if (reading.FirstBadStep is not { } badStep) return null;
        progress.Steps = badStep - 1; // the steps completed before it, as if the run had stopped there
        return progress.Finish(RunOutcome.Diverged, $"The loss became {reading.BadLoss} at step {badStep} (epoch {epoch}).");
    }

    private Optimizer CreateOptimizer(ClassifierModel model) => _config.Optimizer switch
    {
        OptimizerKind.Sgd => new SGD(model.parameters(), _config.Lr, _config.Momentum, weightDecay: _config.WeightDecay),
        _ => new AdamW(model.parameters(), _config.Lr, weightDecay: _config.WeightDecay),
    };

    private static Dictionary<string, double> StepMetrics(double trainLoss, double lr, ClassifierModel model) => new()
    {
        [MetricKeys.TrainLoss] = trainLoss,
        [MetricKeys.LearningRate] = lr,
        [MetricKeys.DropoutRate] = model.DropoutRate,
        [MetricKeys.DropPathRate] = model.DropPathRate,
    };

    /// <summary>Validation loss (plain cross entropy), top-1 and top-5 accuracy in percent, in inference mode.</summary>
    private static Dictionary<string, double> Evaluate(ClassifierModel model, BatchLoader loader, double labelSmoothing)
    {
        model.eval();
        using var noGrad = torch.no_grad();
        // Summed on the device and read once: [loss sum, top-1 correct, top-5 correct].
        using var sums = torch.zeros([3], ScalarType.Float64, loader.Device).DetachFromDisposeScope();
        long seen = 0;
        foreach (var nextBatch in loader.Epoch(1))
        {
            using var batch = nextBatch;
            using (torch.NewDisposeScope())
            {
                var logits = model.forward(batch.Images);
                var loss = F.cross_entropy(logits, batch.Labels, reduction: Reduction.Sum).to(ScalarType.Float64);
                sums.add_(torch.stack([loss, Accuracy.CorrectTopKOnDevice(logits, batch.Labels, 1), Accuracy.CorrectTopKOnDevice(logits, batch.Labels, 5)]));
                seen += batch.Size;
            }
        }
        model.train();
        var values = sums.ToArray<double>();
        return new()
        {
            [MetricKeys.ValLoss] = values[0] / seen,
            [MetricKeys.ValAcc] = 100.0 * values[1] / seen,
            [MetricKeys.ValAcc5] = 100.0 * values[2] / seen,
        };
    }

    private static Dictionary<string, double> Analyse(ClassifierModel model, GradientAnalysis analysis, AnalysisData? data, long step)
    {
        // Right after the optimizer step: the gradients are this step's, the weights already updated.
        var metrics = new Dictionary<string, double>
        {
            [MetricKeys.GradNorm] = analysis.GradientNorm(),
            [MetricKeys.WeightsDistInit] = analysis.DistanceFromInit(),
        };
        if (data is null) return metrics;
        var miniBatches = data.MiniBatches(step);
        var wholeSet = data.WholeSet();
        try
        {
            var (variance, error) = analysis.GradientDirections(model, (logits, targets) => F.cross_entropy(logits, targets), miniBatches, wholeSet);
            metrics[MetricKeys.GradDirVariance] = variance;
            metrics[MetricKeys.GradDirError] = error;
            metrics[MetricKeys.GradWholeSetSamples] = data.WholeSetSize;
        }
        finally
        {
            foreach (var batch in miniBatches.Concat(wholeSet)) batch.Dispose();
        }
        return metrics;
    }

    /// <summary>
    /// Batches for the gradient-direction metrics: G random mini-batches, each the first batch of
    /// a permutation seeded by (run seed, step, index), so measurements are reproducible; and the
    /// first N training examples standing in for the whole set (their count is reported).
    /// </summary>
    private sealed class AnalysisData(DatasetSplits splits, RunConfig config, Device device)
    {
        private readonly BatchLoader _random = new(splits.Train, splits.Normalization, config.BatchSize, device, shuffle: true, seed: config.Seed);
        private readonly BatchLoader _whole = new(
            splits.Train.Select(Enumerable.Range(0, Math.Min(config.Analysis.WholeSetSamples, splits.Train.Count)).ToList()),
            splits.Normalization, config.BatchSize, device, shuffle: false);

        public int WholeSetSize => _whole.Dataset.Count;

        public List<Batch> MiniBatches(long step) =>
            Enumerable.Range(0, config.Analysis.GradientSamples)
                .Select(i => _random.GetBatch(epoch: unchecked((int)(step * config.Analysis.GradientSamples + i)), step: 0)).ToList();

        public List<Batch> WholeSet() => _whole.Epoch(1).ToList();
    }

    /// <summary>Where the run stands: steps, epochs, metrics; turned into checkpoints and the final summary.</summary>
    private sealed class RunProgress(string bestEpochMetric)
    {
        public long Steps { get; set; }
        private int _epochs;
        private Dictionary<string, double> _last = [];
        private Dictionary<string, double> _best = [];
        private int? _bestEpoch;

        public void CompleteEpoch(int epoch, Dictionary<string, double> metrics)
        {
            _epochs = epoch;
            _last = metrics;
            foreach (var (key, value) in metrics)
            {
                if (!MetricKeys.HasBest(key)) continue; // a minimum learning rate or throughput is no "best"
                var higherIsBetter = MetricKeys.HigherIsBetter(key);
                if (!_best.TryGetValue(key, out var best) || (higherIsBetter ? value > best : value < best)) _best[key] = value;
            }
            if (_best.TryGetValue(bestEpochMetric, out var bestValue) && metrics.TryGetValue(bestEpochMetric, out var epochValue) && epochValue == bestValue)
                _bestEpoch = epoch;
        }

        public void Restore(CheckpointMeta meta)
        {
            (Steps, _epochs, _last, _best, _bestEpoch) = (meta.Step, meta.Epoch, meta.LastMetrics, meta.BestMetrics, meta.BestEpoch);
        }

        public CheckpointMeta ToMeta() => new()
        {
            Epoch = _epochs,
            Step = Steps,
            LastMetrics = _last,
            BestMetrics = _best,
            BestEpoch = _bestEpoch,
        };

        public RunFinishedEvent Finish(RunOutcome status, string? message, string? error = null) => new()
        {
            Status = status,
            Summary = new RunOutcomeSummary
            {
                FinalMetrics = _last,
                BestMetrics = _best,
                BestEpoch = _bestEpoch,
                EpochsCompleted = _epochs,
                Steps = Steps,
                Message = message,
                Error = error,
            },
        };
    }
}
