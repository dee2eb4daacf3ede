using System.Text.Json.Serialization;

namespace Tracker.Shared;

/// <summary>
/// What the trainer reports, one JSON object per line on stdout (<c>tracker-train</c>) or through the
/// in-process sink, told apart by the "type" property. <c>Step</c> counts optimizer steps completed in the run;
/// epochs are counted from 1. Metric dictionaries are keyed by <see cref="MetricKeys"/>.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(RunStartedEvent), TrainingEventTypes.RunStarted)]
[JsonDerivedType(typeof(StepEvent), TrainingEventTypes.Step)]
[JsonDerivedType(typeof(EpochEvent), TrainingEventTypes.Epoch)]
[JsonDerivedType(typeof(AnalysisEvent), TrainingEventTypes.Analysis)]
[JsonDerivedType(typeof(CheckpointEvent), TrainingEventTypes.Checkpoint)]
[JsonDerivedType(typeof(RunFinishedEvent), TrainingEventTypes.RunFinished)]
[JsonDerivedType(typeof(PointsEvent), TrainingEventTypes.Points)]
// On the type, so NaN/Infinity metrics serialize under any options (a diverging run produces them).
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public abstract record TrainingEvent
{
    /// <summary>When the trainer produced the event.</summary>
    public DateTimeOffset Time { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>
    /// The event's number within its run, 1, 2, 3... assigned where it is produced and never reused: the store keeps
    /// each once (a resent event is a no-op) and a client that reconnects asks for the events after the last it saw.
    /// </summary>
    public long Seq { get; init; }
}

/// <summary>The "type" discriminator values.</summary>
public static class TrainingEventTypes
{
    public const string RunStarted = "run-started";
    public const string Step = "step";
    public const string Epoch = "epoch";
    public const string Analysis = "analysis";
    public const string Checkpoint = "checkpoint";
    public const string RunFinished = "run-finished";
    public const string Points = "points";
}

[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record RunStartedEvent : TrainingEvent
{
    /// <summary>The tracker's id for the run; null when the CLI runs standalone.</summary>
    public long? RunId { get; init; }
    public required RunConfig Config { get; init; }
    /// <summary>The device actually used, e.g. "cpu" or "cuda:0" (the config may say "auto").</summary>
    public required string Device { get; init; }
    public required long ParameterCount { get; init; }

    /// <summary>How the engine runs the training steps on this device, e.g. as CUDA graphs or eagerly and why; null on the CPU.</summary>
    public string? Execution { get; init; }
}

/// <summary>An event that carries metric values at one step of one epoch: step, epoch and analysis events.</summary>
public interface IStepMetrics
{
    long Step { get; }
    int Epoch { get; }
    IReadOnlyDictionary<string, double> Metrics { get; }
}

/// <summary>Training metrics every few steps (loss, lr, current drop rates, throughput).</summary>
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record StepEvent : TrainingEvent, IStepMetrics
{
    public required long Step { get; init; }
    public required int Epoch { get; init; }
    [NonFiniteNumber] public required IReadOnlyDictionary<string, double> Metrics { get; init; }
}

/// <summary>End of an epoch: train and validation metrics.</summary>
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record EpochEvent : TrainingEvent, IStepMetrics
{
    public required int Epoch { get; init; }
    public required long Step { get; init; }
    [NonFiniteNumber] public required IReadOnlyDictionary<string, double> Metrics { get; init; }
    /// <summary>Wall time of this epoch alone (training and validation), not since the run started.</summary>
    public required double EpochSeconds { get; init; }
}

/// <summary>
/// Measurements taken beside training on their own schedule: the paper's analysis metrics (gradient norm, distance from
/// init, direction variance and error), or the system metrics (<see cref="MetricKeys.SystemPrefix"/>), each in its own event.
/// </summary>
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record AnalysisEvent : TrainingEvent, IStepMetrics
{
    public required long Step { get; init; }
    public required int Epoch { get; init; }
    [NonFiniteNumber] public required IReadOnlyDictionary<string, double> Metrics { get; init; }
}

/// <summary>A checkpoint was written; the run can resume from it.</summary>
public sealed record CheckpointEvent : TrainingEvent
{
    public required int Epoch { get; init; }
    public required long Step { get; init; }
    public required string Path { get; init; }
}

/// <summary>
/// One batch of points a script logged through the ingest API (the Python client): any keys, each point at its own step.
/// Its <see cref="TrainingEvent.Seq"/> is the client's batch sequence, so a resent batch is a no-op like any event.
/// </summary>
public sealed record PointsEvent : TrainingEvent
{
    public required IReadOnlyList<LoggedPoint> Points { get; init; }
}

/// <summary>One value a script logged: <paramref name="Time"/> null means when the batch arrived.</summary>
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record LoggedPoint(string Key, long Step, double Value, int? Epoch = null, DateTimeOffset? Time = null);

public sealed record RunFinishedEvent : TrainingEvent
{
    public required RunOutcome Status { get; init; }
    public required RunOutcomeSummary Summary { get; init; }
}

/// <summary>How a run ended, so lists and comparisons need not read every metric point.</summary>
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record RunOutcomeSummary
{
    /// <summary>Metrics of the last completed epoch.</summary>
    [NonFiniteNumber] public IReadOnlyDictionary<string, double> FinalMetrics { get; init; } = new Dictionary<string, double>();
    /// <summary>Best value over the epochs of each metric that has a direction (<see cref="MetricKeys.HasBest"/>): lowest loss, highest accuracy.</summary>
    [NonFiniteNumber] public IReadOnlyDictionary<string, double> BestMetrics { get; init; } = new Dictionary<string, double>();
    /// <summary>Epoch whose weights were best by the early-stopping metric, or by val/acc without early stopping; null when unknown.</summary>
    public int? BestEpoch { get; init; }
    public int EpochsCompleted { get; init; }
    public long Steps { get; init; }
    /// <summary>Why it ended, for people (e.g. "stopped early: val/loss did not improve for 5 epochs").</summary>
    public string? Message { get; init; }
    /// <summary>The error, for failed and diverged runs.</summary>
    public string? Error { get; init; }
}
