namespace Tracker.Web.Data;

/// <summary>What a run list shows of one metric of one run, kept current by <see cref="MetricWriter"/>.</summary>
public sealed class RunSummary
{
    public long RunId { get; set; }
    public required string Key { get; set; }
    /// <summary>The value at <see cref="LastStep"/>, the highest step seen.</summary>
    public double Last { get; set; }
    public long LastStep { get; set; }
    public double Min { get; set; }
    public double Max { get; set; }
    /// <summary>Points recorded for this key.</summary>
    public long Count { get; set; }
}
