namespace Tracker.Web.Data;

/// <summary>
/// One value of one metric at one optimizer step: the narrow table every chart reads. Written in batches by
/// <see cref="MetricWriter"/>, which also keeps <see cref="RunSummary"/> current so lists never scan points.
/// </summary>
public sealed class MetricPoint
{
    public long Id { get; set; }
    public long RunId { get; set; }
    /// <summary>One of <see cref="Shared.MetricKeys"/>.</summary>
    public required string Key { get; set; }
    public long Step { get; set; }
    public int Epoch { get; set; }
    public double Value { get; set; }
    /// <summary>When the trainer measured it (UTC).</summary>
    public DateTime Time { get; set; }
}
