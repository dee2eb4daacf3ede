using System.Globalization;

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

    // System metrics, sampled every few seconds beside training. The Python client (clients/python/tracker_client/_system.py)
    // writes the same names with the same meaning, so a script's run and a tracker-train run chart alike.
    /// <summary>The prefix of every system metric.</summary>
    public const string SystemPrefix = "sys/";
    /// <summary>Busy share of all the machine's CPUs since the previous sample, 0 to 100 (from /proc/stat).</summary>
    public const string CpuPercent = "sys/cpu_percent";
    /// <summary>Resident memory of the reporting process in MB (VmRSS).</summary>
    public const string RssMb = "sys/rss_mb";
    private const string GpuPrefix = "sys/gpu";
    private const string GpuUtilSuffix = "/util_percent";
    private const string GpuMemorySuffix = "/memory_mb";

    /// <summary>Utilisation of GPU <paramref name="index"/> (nvidia-smi's numbering), 0 to 100.</summary>
    public static string GpuUtilPercent(int index) => string.Create(CultureInfo.InvariantCulture, $"{GpuPrefix}{index}{GpuUtilSuffix}");

    /// <summary>Memory used on GPU <paramref name="index"/> in MB (MiB, as nvidia-smi reports it).</summary>
    public static string GpuMemoryMb(int index) => string.Create(CultureInfo.InvariantCulture, $"{GpuPrefix}{index}{GpuMemorySuffix}");

    /// <summary>The <see cref="GpuUtilPercent"/> keys among <paramref name="keys"/>, by GPU index.</summary>
    public static IReadOnlyList<string> GpuUtilKeys(IEnumerable<string> keys) => GpuKeys(keys, GpuUtilSuffix);

    /// <summary>The <see cref="GpuMemoryMb"/> keys among <paramref name="keys"/>, by GPU index.</summary>
    public static IReadOnlyList<string> GpuMemoryKeys(IEnumerable<string> keys) => GpuKeys(keys, GpuMemorySuffix);

    private static List<string> GpuKeys(IEnumerable<string> keys, string suffix) =>
        keys.Select(key => (Key: key, Index: GpuIndex(key, suffix))).Where(k => k.Index is not null)
            .OrderBy(k => k.Index).Select(k => k.Key).ToList();

    private static int? GpuIndex(string key, string suffix) =>
        key.Length > GpuPrefix.Length + suffix.Length && key.StartsWith(GpuPrefix, StringComparison.Ordinal) && key.EndsWith(suffix, StringComparison.Ordinal)
        && int.TryParse(key.AsSpan(GpuPrefix.Length, key.Length - GpuPrefix.Length - suffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            ? index : null;

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
