namespace Tracker.Shared;

/// <summary>One problem with a config: <see cref="Field"/> is the camelCase JSON path (e.g. "dropout.cutoffEpoch").</summary>
public sealed record FieldError(string Field, string Message);

/// <summary>
/// Checks a <see cref="RunConfig"/> before it is queued or trained. Messages are written for a web form,
/// next to the field they name. Numeric checks are written as "not (valid)" so NaN is rejected too.
/// </summary>
public static class RunConfigValidator
{
    public const int MaxNameLength = 200;
    public const int MaxTagLength = 50;
    public const int MaxTags = 32;

    // Every count has an upper bound, so no config can hold a worker for ever (dropConnect.samples = 2^31 froze one).
    public const int MaxEpochs = 10_000;
    public const int MaxBatchSize = 65_536;
    public const int MaxTrainSubset = 10_000_000;
    public const int MaxStepsPerEpoch = 1_000_000;
    public const int MaxDropConnectSamples = 1_000;
    public const int MaxPatience = MaxEpochs;
    public const int MaxAnalysisEverySteps = 1_000_000;
    public const int MaxStepEventEvery = 1_000_000;
    public const int MaxGradientSamples = 1_000;
    public const int MaxWholeSetSamples = 100_000;
    public const int MaxPathLength = 4_096;

    public static IReadOnlyList<FieldError> Validate(RunConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var errors = new List<FieldError>();
        void Add(string field, string message) => errors.Add(new FieldError(field, message));

        // Identity
        if (string.IsNullOrWhiteSpace(config.Name))
            Add("name", "Give the run a name.");
        else if (config.Name.Length > MaxNameLength)
            Add("name", $"The name can be at most {MaxNameLength} characters long.");
        if (string.IsNullOrWhiteSpace(config.Project))
            Add("project", "Choose a project.");
        else if (config.Project.Length > MaxNameLength)
            Add("project", $"The project name can be at most {MaxNameLength} characters long.");
        if (config.Tags.Count > MaxTags)
            Add("tags", $"A run can have at most {MaxTags} tags; this one has {config.Tags.Count}.");
        for (var i = 0; i < config.Tags.Count && i < MaxTags; i++)
        {
            if (string.IsNullOrWhiteSpace(config.Tags[i]))
                Add($"tags[{i}]", "Tags cannot be empty.");
            else if (config.Tags[i].Length > MaxTagLength)
                Add($"tags[{i}]", $"A tag can be at most {MaxTagLength} characters long.");
            else if (InputRules.HasControlCharacter(config.Tags[i]))
                Add($"tags[{i}]", InputRules.ControlCharacterMessage);
        }
        // A NUL in any text field is a 500 on PostgreSQL, and no name or path needs a control character.
        foreach (var (field, value) in new (string, string?)[]
                 {
                     ("name", config.Name), ("project", config.Project), ("model", config.Model), ("dataset", config.Dataset),
                     ("datasetPath", config.DatasetPath), ("parentRunId", config.ParentRunId), ("earlyStopping.metric", config.EarlyStopping?.Metric),
                 })
            if (InputRules.HasControlCharacter(value))
                Add(field, InputRules.ControlCharacterMessage);
        if (config.DatasetPath is { Length: > MaxPathLength })
            Add("datasetPath", $"A dataset path has at most {MaxPathLength} characters.");

        // Model and data
        if (!KnownModels.IsKnown(config.Model))
            Add("model", $"Unknown model '{config.Model}'. Choose one of: {string.Join(", ", KnownModels.All)}.");
        if (!KnownDatasets.IsKnown(config.Dataset))
            Add("dataset", $"Unknown dataset '{config.Dataset}'. Choose one of: {string.Join(", ", KnownDatasets.All)}.");
        else if (KnownDatasets.RequiresPath(config.Dataset) && string.IsNullOrWhiteSpace(config.DatasetPath))
            Add("datasetPath", $"The '{config.Dataset}' dataset has no default location: give the path to its file.");
        if (config.TrainSubset is { } subset && subset < 1)
            Add("trainSubset", "The training subset must hold at least 1 example (leave it empty to use all).");
        else if (config.TrainSubset > MaxTrainSubset)
            Add("trainSubset", $"The training subset can hold at most {MaxTrainSubset:N0} examples.");
        if (config.MaxStepsPerEpoch is { } maxSteps && maxSteps < 1)
            Add("maxStepsPerEpoch", "Steps per epoch must be at least 1 (leave it empty for full epochs).");
        else if (config.MaxStepsPerEpoch > MaxStepsPerEpoch)
            Add("maxStepsPerEpoch", $"Steps per epoch can be at most {MaxStepsPerEpoch:N0}.");

        // Optimisation
        if (config.Epochs < 1)
            Add("epochs", "Epochs must be at least 1.");
        else if (config.Epochs > MaxEpochs)
            Add("epochs", $"Epochs can be at most {MaxEpochs:N0}.");
        if (config.BatchSize < 1)
            Add("batchSize", "Batch size must be at least 1.");
        else if (config.BatchSize > MaxBatchSize)
            Add("batchSize", $"Batch size can be at most {MaxBatchSize:N0}.");
        else if (TrainingExamples(config) is { } examples && config.BatchSize > examples)
            Add("batchSize", $"The batch ({config.BatchSize:N0}) is larger than the training set ({examples:N0} examples).");
        if (!(config.Lr > 0 && double.IsFinite(config.Lr)))
            Add("lr", "The learning rate must be greater than 0.");
        if (!(config.Momentum >= 0 && config.Momentum < 1))
            Add("momentum", "Momentum must be at least 0 and below 1.");
        if (!(config.WeightDecay >= 0 && double.IsFinite(config.WeightDecay)))
            Add("weightDecay", "Weight decay cannot be negative.");
        if (config.WarmupEpochs < 0)
            Add("warmupEpochs", "Warmup epochs cannot be negative.");
        else if (config.Epochs >= 1 && config.WarmupEpochs >= config.Epochs)
            Add("warmupEpochs", $"Warmup must be shorter than the run: fewer than {config.Epochs} epochs.");
        if (!(config.LabelSmoothing >= 0 && config.LabelSmoothing < 1))
            Add("labelSmoothing", "Label smoothing must be at least 0 and below 1.");
        if (config.GradClip is { } clip && !(clip > 0 && double.IsFinite(clip)))
            Add("gradClip", "The gradient clipping norm must be greater than 0 (leave it empty for no clipping).");
        if (config.Seed < 0)
            Add("seed", "The seed cannot be negative.");

        // Regularization
        ValidateDrop(config.Dropout, "dropout", "dropout", config.Epochs, Add);
        ValidateDrop(config.DropPath, "dropPath", "stochastic depth", config.Epochs, Add);
        if (config.DropPath.Rate > 0 && KnownModels.IsKnown(config.Model) && !KnownModels.HasResidualBlocks(config.Model))
            Add("dropPath.rate", $"Stochastic depth needs a model with residual blocks ({string.Join(", ", KnownModels.All.Where(KnownModels.HasResidualBlocks))}); '{config.Model}' has none.");

        if (config.RDrop is { } rDrop)
        {
            if (!(rDrop.Alpha > 0 && double.IsFinite(rDrop.Alpha)))
                Add("rDrop.alpha", "R-Drop's alpha must be greater than 0.");
            // With no randomness the two passes agree and the KL term is always 0.
            if (!(config.Dropout.Rate > 0) && !(config.DropPath.Rate > 0))
                Add("rDrop", "R-Drop compares two dropout passes: set a dropout or stochastic depth rate above 0.");
            if (config.DropConnect is not null)
                Add("rDrop", "R-Drop together with DropConnect is not a method the paper defines: use one or the other.");
        }
        if (config.DropConnect is { } dropConnect)
        {
            if (!(dropConnect.Rate >= 0 && dropConnect.Rate < 1))
                Add("dropConnect.rate", "The DropConnect rate must be at least 0 and below 1.");
            if (dropConnect.Inference == DropConnectInference.Gaussian && dropConnect.Samples < 1)
                Add("dropConnect.samples", "Gaussian inference needs at least 1 sample.");
            else if (dropConnect.Samples > MaxDropConnectSamples)
                Add("dropConnect.samples", $"DropConnect inference can draw at most {MaxDropConnectSamples:N0} samples.");
        }
        if (!(config.L1 >= 0 && double.IsFinite(config.L1)))
            Add("l1", "The L1 weight cannot be negative.");
        if (!(config.L2 >= 0 && double.IsFinite(config.L2)))
            Add("l2", "The L2 weight cannot be negative.");

        if (config.EarlyStopping is { } stopping)
        {
            if (!MetricKeys.Monitorable.Contains(stopping.Metric, StringComparer.Ordinal))
            {
                Add("earlyStopping.metric", $"Early stopping can watch one of: {string.Join(", ", MetricKeys.Monitorable)}.");
            }
            else
            {
                // Watching accuracy with "min" would stop the run as soon as it starts improving.
                var expected = MetricKeys.HigherIsBetter(stopping.Metric) ? MetricMode.Max : MetricMode.Min;
                if (stopping.Mode != expected)
                    Add("earlyStopping.mode", $"'{stopping.Metric}' improves {(expected == MetricMode.Max ? "upwards" : "downwards")}: use mode '{JsonEnumNameConverter<MetricMode>.NameOf(expected)}'.");
            }
            if (stopping.Patience < 1)
                Add("earlyStopping.patience", "Patience must be at least 1 epoch.");
            else if (stopping.Patience > MaxPatience)
                Add("earlyStopping.patience", $"Patience can be at most {MaxPatience:N0} epochs.");
        }

        // Fine-tuning: the paper fine-tunes with dropout off, so a fine-tune config asking for it is refused, not silently changed.
        if (config.ParentRunId is { } parent)
        {
            if (string.IsNullOrWhiteSpace(parent))
                Add("parentRunId", "Name the run to fine-tune from, or leave the parent empty to start from scratch.");
            if (config.Dropout.Rate > 0)
                Add("dropout.rate", "Fine-tuning runs without dropout, as in the paper: set the dropout rate to 0.");
            if (config.DropPath.Rate > 0)
                Add("dropPath.rate", "Fine-tuning runs without stochastic depth, as in the paper: set the stochastic depth rate to 0.");
            if (config.DropConnect is not null)
                Add("dropConnect", "Fine-tuning runs without DropConnect, as in the paper: turn DropConnect off.");
        }

        var analysis = config.Analysis;
        if (analysis.EverySteps < 0)
            Add("analysis.everySteps", "The analysis interval cannot be negative (0 turns analysis off).");
        else if (analysis.EverySteps > MaxAnalysisEverySteps)
            Add("analysis.everySteps", $"The analysis interval can be at most {MaxAnalysisEverySteps:N0} steps.");
        if (analysis.Gradients)
        {
            if (analysis.GradientSamples < 2)
                Add("analysis.gradientSamples", "Gradient direction variance compares pairs: use at least 2 mini-batches.");
            if (analysis.WholeSetSamples < 1)
                Add("analysis.wholeSetSamples", "The whole-set gradient needs at least 1 example.");
        }
        // Bounded whether or not gradients are analysed: a stored config may be cloned with analysis switched on.
        if (analysis.GradientSamples > MaxGradientSamples)
            Add("analysis.gradientSamples", $"Gradient analysis can use at most {MaxGradientSamples:N0} mini-batches.");
        if (analysis.WholeSetSamples > MaxWholeSetSamples)
            Add("analysis.wholeSetSamples", $"The whole-set gradient can use at most {MaxWholeSetSamples:N0} examples.");

        if (config.StepEventEvery < 0)
            Add("stepEventEvery", "The step metrics interval cannot be negative (0 reports them only at the end of each epoch).");
        else if (config.StepEventEvery > MaxStepEventEvery)
            Add("stepEventEvery", $"The step metrics interval can be at most {MaxStepEventEvery:N0} steps.");

        return errors;
    }

    /// <summary>The training set's size when the dataset's is known (a smaller subset is fine: its last batch is partial).</summary>
    private static int? TrainingExamples(RunConfig config) => KnownDatasets.TrainingSetSize(config.Dataset);

    private static void ValidateDrop(DropSettings drop, string prefix, string label, int epochs, Action<string, string> add)
    {
        if (!(drop.Rate >= 0 && drop.Rate < 1))
        {
            add($"{prefix}.rate", $"The {label} rate must be at least 0 and below 1.");
            return;
        }
        if (drop.Mode == DropMode.Standard)
        {
            // A leftover cutoff is harmless in standard mode (forms keep it when the mode changes), so it is ignored.
            if (drop.Schedule == DropSchedule.Linear && drop.Rate > 0)
                add($"{prefix}.schedule", $"A linear schedule only applies to early {label}: use a constant schedule, or switch to early mode.");
            return;
        }

        var mode = drop.Mode == DropMode.Early ? "early" : "late";
        if (!(drop.Rate > 0))
            add($"{prefix}.rate", $"Set a {label} rate above 0 for {mode} {label}.");
        if (drop.CutoffEpoch is not { } cutoff)
        {
            add($"{prefix}.cutoffEpoch", $"Choose the cutoff epoch for {mode} {label}.");
        }
        else if (drop.Mode == DropMode.Early && epochs >= 1 && (cutoff < 1 || cutoff > epochs))
        {
            add($"{prefix}.cutoffEpoch", $"The cutoff epoch must be between 1 and {epochs} (the number of epochs).");
        }
        else if (drop.Mode == DropMode.Late && epochs >= 1 && (cutoff < 1 || cutoff >= epochs))
        {
            // Late drop starts after the cutoff; at the last epoch it would never take effect.
            add($"{prefix}.cutoffEpoch", epochs > 1
                ? $"The cutoff epoch must be between 1 and {epochs - 1}, so late {label} has epochs left to act in."
                : $"Late {label} needs at least 2 epochs: one before the cutoff and one after.");
        }
        // The paper (and its official code) only ramps rates down: late drop switches on at a constant rate.
        if (drop.Mode == DropMode.Late && drop.Schedule == DropSchedule.Linear)
            add($"{prefix}.schedule", $"Late {label} only supports a constant schedule; a linear schedule is for early {label}.");
    }
}
