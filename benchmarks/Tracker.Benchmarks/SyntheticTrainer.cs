using System.Globalization;
using Tracker.Shared;

namespace Tracker.Benchmarks;

/// <summary>
/// A stand-in for tracker-train in the remote-ingest benchmark: started by tracker-worker with the engine's command line
/// (train --config --out --run-id --last-seq ...), it writes the run's events to stdout at full speed, numbered on from
/// --last-seq as the engine numbers them: run-started, then for each of the config's epochs its maxStepsPerEpoch step
/// events of <see cref="StepKeys"/> and an analysis, a system and an epoch event, then the finished event. It writes when
/// it wrote its first and last event beside the run (<see cref="TimingFile"/>), for the benchmark to time from.
/// </summary>
public static class SyntheticTrainer
{
    /// <summary>Set in tracker-worker's environment, which its child inherits: this program then acts as the trainer.</summary>
    public const string Variable = "TRACKER_BENCH_SYNTHETIC_TRAINER";
    private const string TimingFile = "synthetic-trainer-timing.txt";
    private const int StepsPerEpoch = 500;

    /// <summary>What a transformer run logs every few steps: loss, accuracy, schedules, throughput and per-block gradient norms.</summary>
    public static readonly string[] StepKeys =
    [
        MetricKeys.TrainLoss, MetricKeys.TrainAcc, MetricKeys.LearningRate, MetricKeys.DropoutRate, MetricKeys.DropPathRate,
        MetricKeys.GradNorm, MetricKeys.SamplesPerSecond, .. Enumerable.Range(0, 9).Select(i => $"grad/norm/blocks.{i}"),
    ];

    private static readonly string[] EpochKeys = [MetricKeys.TrainLoss, MetricKeys.TrainAcc, MetricKeys.ValLoss, MetricKeys.ValAcc, MetricKeys.ValAcc5];
    private static readonly string[] AnalysisKeys = [MetricKeys.WeightsDistInit, MetricKeys.GradDirVariance, MetricKeys.GradDirError, MetricKeys.GradWholeSetSamples];
    private static readonly string[] SystemKeys = [MetricKeys.CpuPercent, MetricKeys.RssMb, MetricKeys.GpuUtilPercent(0), MetricKeys.GpuMemoryMb(0)];

    /// <summary>
    /// A run of about <paramref name="points"/> points in whole epochs: its config (<see cref="RunConfig.Epochs"/> and
    /// <see cref="RunConfig.MaxStepsPerEpoch"/> shape it), the points the server stores (one per key and step: an epoch's
    /// train/loss and train/acc replace its last step's) and the events it sends through /events (run-started and the metric events).
    /// </summary>
    public static (RunConfig Config, int Points, int Events) Plan(string name, int points)
    {
        var perEpoch = StepsPerEpoch * StepKeys.Length + EpochKeys.Except(StepKeys).Count() + AnalysisKeys.Length + SystemKeys.Length;
        var epochs = Math.Max(1, (int)Math.Round((double)points / perEpoch));
        var config = new RunConfig
        {
            Name = name, Project = "bench", Model = KnownModels.Mlp, Dataset = KnownDatasets.Synthetic, Device = DeviceKind.Cpu,
            Epochs = epochs, MaxStepsPerEpoch = StepsPerEpoch,
        };
        return (config, epochs * perEpoch, 1 + epochs * (StepsPerEpoch + 3));
    }

    /// <summary>The run's events after <paramref name="lastSeq"/>: run-started, the metric events of the config's shape, the finished event.</summary>
    public static IEnumerable<TrainingEvent> Events(RunConfig config, long lastSeq)
    {
        var seq = lastSeq;
        var stepsPerEpoch = config.MaxStepsPerEpoch ?? StepsPerEpoch;
        yield return new RunStartedEvent { Seq = ++seq, Config = config, Device = "cpu", ParameterCount = 5_400_000 };
        long step = 0;
        for (var epoch = 1; epoch <= config.Epochs; epoch++)
        {
            for (var i = 0; i < stepsPerEpoch; i++)
            {
                step++;
                yield return new StepEvent { Seq = ++seq, Step = step, Epoch = epoch, Metrics = Values(StepKeys, step) };
            }
            yield return new AnalysisEvent { Seq = ++seq, Step = step, Epoch = epoch, Metrics = Values(AnalysisKeys, step) };
            yield return new AnalysisEvent { Seq = ++seq, Step = step, Epoch = epoch, Metrics = Values(SystemKeys, step) };
            yield return new EpochEvent { Seq = ++seq, Step = step, Epoch = epoch, Metrics = Values(EpochKeys, step), EpochSeconds = 12.5 };
        }
        yield return new RunFinishedEvent
        {
            Seq = ++seq, Status = RunOutcome.Succeeded,
            Summary = new RunOutcomeSummary { EpochsCompleted = config.Epochs, Steps = step, Message = "synthetic" },
        };
    }

    /// <summary>Values that change every step as a loss curve does, so nothing compresses or repeats by accident.</summary>
    private static Dictionary<string, double> Values(string[] keys, long step)
    {
        var values = new Dictionary<string, double>(keys.Length);
        for (var i = 0; i < keys.Length; i++) values[keys[i]] = (i + 1) * 2.5 / Math.Sqrt(step) + Math.Sin(step * 0.01 + i) * 1e-3;
        return values;
    }

    /// <summary>Acts as the trainer when tracker-worker started this program with <see cref="Variable"/> set; null otherwise.</summary>
    public static int? RunIfAsked(string[] args)
    {
        if (Environment.GetEnvironmentVariable(Variable) is null || args is not ["train", ..]) return null;
        string Option(string name) => args[Array.IndexOf(args, name) + 1];
        var config = RunConfigJson.Parse(File.ReadAllText(Option("--config")));
        var lastSeq = Array.IndexOf(args, "--last-seq") >= 0 ? long.Parse(Option("--last-seq"), CultureInfo.InvariantCulture) : 0;
        var first = DateTimeOffset.UtcNow;
        using (var stdout = new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false), 1 << 16))
        {
            foreach (var trainingEvent in Events(config, lastSeq)) stdout.WriteLine(TrainingEventJson.Serialize(trainingEvent));
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
