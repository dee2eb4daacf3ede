using Tracker.Shared;

namespace Tracker.Web.Features.Sweeps;

/// <summary>What a sweep form holds of the median stopping rule: off by default, as the issue asks.</summary>
public sealed class MedianStoppingInput
{
    public bool Enabled { get; set; }
    public string Metric { get; set; } = MetricKeys.ValAcc;
    public int MinRuns { get; set; } = 3;
    public int MinEpoch { get; set; } = 2;

    /// <summary>The rule (null when off) and what is wrong with the inputs, named as the API names them.</summary>
    public (MedianStopping? Rule, IReadOnlyList<FieldError> Errors) Read()
    {
        if (!Enabled) return (null, []);
        var errors = new List<FieldError>();
        if (!MetricKeys.Monitorable.Contains(Metric)) errors.Add(new FieldError("earlyStop.metric", $"Choose one of: {string.Join(", ", MetricKeys.Monitorable)}."));
        if (MinRuns < 1) errors.Add(new FieldError("earlyStop.minRuns", "The rule needs at least 1 completed run."));
        if (MinEpoch < 1) errors.Add(new FieldError("earlyStop.minEpoch", "Epochs count from 1."));
        return (errors.Count == 0 ? new MedianStopping(Metric, MinRuns, MinEpoch) : null, errors);
    }
}
