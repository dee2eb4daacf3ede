namespace Tracker.Shared;

/// <summary>The metric names every side writes and reads; one place so a typo cannot split a series.</summary>
public static class MetricKeys
{
    public const string TrainLoss = "train/loss";
    public const string TrainAcc = "train/acc";
    public const string ValLoss = "val/loss";
    public const string ValAcc = "val/acc";
    public const string ValAcc5 = "val/acc5";
    public const string LearningRate = "lr";
    public const string DropoutRate = "dropout/rate";
    public const string DropPathRate = "droppath/rate";
    public const string GradNorm = "grad/norm";
    public const string WeightsDistInit = "weights/dist_init";
    public const string GradDirVariance = "grad/dir_variance";
    public const string GradDirError = "grad/dir_error";
    /// <summary>How many training examples stood in for the whole set in <see cref="GradDirError"/>.</summary>
    public const string GradWholeSetSamples = "grad/whole_set_samples";
    public const string SamplesPerSecond = "perf/samples_per_s";

    /// <summary>The train/* and val/* keys, which early stopping may watch.</summary>
    public static IReadOnlyList<string> Monitorable { get; } = [TrainLoss, TrainAcc, ValLoss, ValAcc, ValAcc5];

    /// <summary>
    /// True for the metrics that have a better direction (losses and accuracies): only they have a "best" value.
    /// A learning rate, a drop rate or a throughput has a minimum and a maximum but no best.
    /// </summary>
    public static bool HasBest(string key) => Monitorable.Contains(key);

    /// <summary>True for accuracies (improve upwards), false for losses and everything else.</summary>
    public static bool HigherIsBetter(string key) => key is TrainAcc or ValAcc or ValAcc5;
}
