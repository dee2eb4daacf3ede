using System.Globalization;
using Tracker.Shared;

namespace Tracker.Benchmarks;

/// <summary>
/// A stand-in for tracker-train in the remote-ingest benchmark: started by tracker-worker with the engine's command line
/// (train --config --out --run-id --last-seq ...), it writes the run's events to stdout at full speed, numbered on from
/// --last-seq as the engine numbers them: run-started, then per step a step event of <see cref="StepKeys"/>, every
/// <see cref="StepsPerEpoch"/> steps an analysis, a system and an epoch event, then the finished event. It writes when it
/// wrote its first and last event beside the run (<see cref="TimingFile"/>), for the benchmark to time from.
/// </summary>
public static class SyntheticTrainer
{
    /// <summary>Set (to the run's points) in tracker-worker's environment, which its child inherits: this program then acts as the trainer.</summary>
    public const string PointsVariable = "TRACKER_BENCH_SYNTHETIC_TRAINER_POINTS";
    private const string TimingFile = "synthetic-trainer-timing.txt";
    public const int StepsPerEpoch = 500;

    /// <summary>What a transformer run logs every few steps: loss, accuracy, schedules, throughput and per-block gradient norms.</summary>
    public static readonly string[] StepKeys =
    [
        MetricKeys.TrainLoss, MetricKeys.TrainAcc, MetricKeys.LearningRate, MetricKeys.DropoutRate, MetricKeys.DropPathRate,
        MetricKeys.GradNorm, MetricKeys.SamplesPerSecond, .. Enumerable.Range(0, 9).Select(i => $"grad/norm/blocks.{i}"),
    ];

    private static readonly string[] EpochKeys = [MetricKeys.TrainLoss, MetricKeys.TrainAcc, MetricKeys.ValLoss, MetricKeys.ValAcc, MetricKeys.ValAcc5];
    private static readonly string[] AnalysisKeys = [MetricKeys.WeightsDistInit, MetricKeys.GradDirVariance, MetricKeys.GradDirError, MetricKeys.GradWholeSetSamples];
    private static readonly string[] SystemKeys = [MetricKeys.CpuPercent, MetricKeys.RssMb, MetricKeys.GpuUtilPercent(0), MetricKeys.GpuMemoryMb(0)];

    /// <summary>How many points the server stores, metric events and epochs of a run of about <paramref name="points"/> points (whole steps).</summary>
    public readonly record struct Shape(int Points, int Events, int Epochs);

    public static Shape Plan(int points)
    {
        var (total, events, epochs) = (0, 0, 0);
        foreach (var trainingEvent in Metrics(points))
        {
            total += ((IStepMetrics)trainingEvent).Metrics.Count;
            events++;
            if (trainingEvent is EpochEvent) epochs++;
        }
        // The store keeps one point per key and step: an epoch's train/loss and train/acc replace its last step's.
        return new Shape(total - epochs * EpochKeys.Intersect(StepKeys).Count(), events, Math.Max(epochs, 1));
    }

    /// <summary>The run's events after <paramref name="lastSeq"/>: run-started, the metric events, the finished event.</summary>
    public static IEnumerable<TrainingEvent> Events(RunConfig config, long lastSeq, int points)
    {
        var seq = lastSeq;
        yield return new RunStartedEvent { Seq = ++seq, Config = config, Device = "cpu", ParameterCount = 5_400_000 };
        long steps = 0;
        var epochs = 0;
        foreach (var trainingEvent in Metrics(points))
        {
            yield return trainingEvent with { Seq = ++seq, Time = DateTimeOffset.UtcNow };
            if (trainingEvent is StepEvent step) steps = step.Step;
            if (trainingEvent is EpochEvent) epochs++;
        }
        yield return new RunFinishedEvent
        {
            Seq = ++seq, Status = RunOutcome.Succeeded, Summary = new RunOutcomeSummary { EpochsCompleted = epochs, Steps = steps, Message = "synthetic" },
        };
    }

    /// <summary>The metric events of a run of about <paramref name="points"/> points, whole steps, unnumbered.</summary>
    private static IEnumerable<TrainingEvent> Metrics(int points)
    {
        var written = 0;
        for (long step = 1; written < points; step++)
        {
            var epoch = (int)((step - 1) / StepsPerEpoch) + 1;
            yield return new StepEvent { Step = step, Epoch = epoch, Metrics = Values(StepKeys, step) };
            written += StepKeys.Length;
            if (step % StepsPerEpoch != 0 && written < points) continue;
            yield return new AnalysisEvent { Step = step, Epoch = epoch, Metrics = Values(AnalysisKeys, step) };
            yield return new AnalysisEvent { Step = step, Epoch = epoch, Metrics = Values(SystemKeys, step) };
            yield return new EpochEvent { Step = step, Epoch = epoch, Metrics = Values(EpochKeys, step), EpochSeconds = 12.5 };
            written += AnalysisKeys.Length + SystemKeys.Length + EpochKeys.Length;
        }
    }

    /// <summary>Values that change every step as a loss curve does, so nothing compresses or repeats by accident.</summary>
    private static Dictionary<string, double> Values(string[] keys, long step)
    {
        var values = new Dictionary<string, double>(keys.Length);
        for (var i = 0; i < keys.Length; i++) values[keys[i]] = (i + 1) * 2.5 / Math.Sqrt(step) + Math.Sin(step * 0.01 + i) * 1e-3;
        return values;
    }

    /// <summary>Acts as the trainer when tracker-worker started this program with <see cref="PointsVariable"/> set; null otherwise.</summary>
    public static int? RunIfAsked(string[] args)
    {
        if (Environment.GetEnvironmentVariable(PointsVariable) is not { } points || args is not ["train", ..]) return null;
        string Option(string name) => args[Array.IndexOf(args, name) + 1];
        var config = RunConfigJson.Parse(File.ReadAllText(Option("--config")));
        var lastSeq = Array.IndexOf(args, "--last-seq") >= 0 ? long.Parse(Option("--last-seq"), CultureInfo.InvariantCulture) : 0;
        var first = DateTimeOffset.UtcNow;
        using (var stdout = new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false), 1 << 16))
        {
            foreach (var trainingEvent in Events(config, lastSeq, int.Parse(points, CultureInfo.InvariantCulture)))
                stdout.WriteLine(TrainingEventJson.Serialize(trainingEvent));
        }
        var last = DateTimeOffset.UtcNow;
        File.WriteAllText(Path.Combine(Option("--out"), TimingFile), $"{first.ToUnixTimeMilliseconds()} {last.ToUnixTimeMilliseconds()}");
        return 0;
    }

    /// <summary>When the trainer in <paramref name="runDirectory"/> wrote its first and its last event; null when it wrote nothing.</summary>
    public static (DateTimeOffset First, DateTimeOffset Last)? ReadTiming(string runDirectory)
    {
        var path = Path.Combine(runDirectory, TimingFile);
        if (!File.Exists(path)) return null;
        var parts = File.ReadAllText(path).Split(' ').Select(p => DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(p, CultureInfo.InvariantCulture))).ToArray();
        return (parts[0], parts[1]);
    }
}
