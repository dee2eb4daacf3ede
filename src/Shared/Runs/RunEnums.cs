using System.Text.Json.Serialization;

namespace Tracker.Shared;

// Each enum carries its converter so that it is written as a camelCase string whatever options serialize it.

[JsonConverter(typeof(JsonEnumNameConverter<OptimizerKind>))]
public enum OptimizerKind
{
    [JsonStringEnumMemberName("adamw")] AdamW,
    Sgd,
}

[JsonConverter(typeof(JsonEnumNameConverter<DeviceKind>))]
public enum DeviceKind
{
    /// <summary>CUDA when the engine finds a GPU, else CPU.</summary>
    Auto,
    Cpu,
    Cuda,
}

/// <summary>When in training a dropout or stochastic depth rate is applied (the paper's Section 4).</summary>
[JsonConverter(typeof(JsonEnumNameConverter<DropMode>))]
public enum DropMode
{
    /// <summary>The rate for the whole run.</summary>
    Standard,
    /// <summary>The rate until the cutoff epoch, then 0 (against underfitting).</summary>
    Early,
    /// <summary>0 until the cutoff epoch, then the rate (against overfitting).</summary>
    Late,
}

/// <summary>How an early rate goes to 0 before the cutoff.</summary>
[JsonConverter(typeof(JsonEnumNameConverter<DropSchedule>))]
public enum DropSchedule
{
    /// <summary>Hold the rate until the cutoff.</summary>
    Constant,
    /// <summary>Straight line from the rate to 0 over the steps before the cutoff (early mode only).</summary>
    Linear,
}

/// <summary>How a DropConnect layer computes its output at inference.</summary>
[JsonConverter(typeof(JsonEnumNameConverter<DropConnectInference>))]
public enum DropConnectInference
{
    /// <summary>Use the expected weights p·W (cheap, what dropout does).</summary>
    Mean,
    /// <summary>Wan et al.'s moment matching: sample a Gaussian per unit and average the activations.</summary>
    Gaussian,
}

/// <summary>Whether a monitored metric improves downwards (loss) or upwards (accuracy).</summary>
[JsonConverter(typeof(JsonEnumNameConverter<MetricMode>))]
public enum MetricMode
{
    Min,
    Max,
}

/// <summary>How a run ended, as reported by the run-finished event.</summary>
[JsonConverter(typeof(JsonEnumNameConverter<RunOutcome>))]
public enum RunOutcome
{
    Succeeded,
    Failed,
    Cancelled,
    /// <summary>The loss became NaN or infinite, so training stopped.</summary>
    Diverged,
}

/// <summary>How much of a GPU a run asks for (<see cref="ResourceSettings.Gpu"/>).</summary>
[JsonConverter(typeof(JsonEnumNameConverter<GpuShare>))]
public enum GpuShare
{
    /// <summary>Shared for the models <see cref="KnownModels.IsSmall"/> names, exclusive for the others.</summary>
    Auto,
    /// <summary>One of a GPU's slots, beside other shared runs.</summary>
    Shared,
    /// <summary>A whole GPU: no other run on it while this one trains.</summary>
    Exclusive,
}
