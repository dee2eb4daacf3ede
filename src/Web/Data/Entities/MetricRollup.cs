namespace Tracker.Web.Data;

/// <summary>
/// One bucket of one run's metric key: the points with <see cref="MetricPoint.Step"/> / <see cref="Span"/> =
/// <see cref="Bucket"/>, kept as their count and their first, last, lowest and highest point. A chart of a long line reads
/// these instead of every point (docs/decisions/0035). Maintained by <see cref="MetricWriter"/> in the same transaction
/// as the points; <see cref="MetricRollups"/> holds the rules.
/// </summary>
public sealed class MetricRollup
{
    public long RunId { get; set; }
    public required string Key { get; set; }
    /// <summary>Steps per bucket: one of <see cref="MetricRollups.Spans"/>.</summary>
    public int Span { get; set; }
    public long Bucket { get; set; }
    /// <summary>Points in the bucket.</summary>
    public long Count { get; set; }

    /// <summary>The earliest point (lowest step, the first written on a tie).</summary>
    public long FirstStep { get; set; }
    public int FirstEpoch { get; set; }
    public double FirstValue { get; set; }
    public DateTime FirstTime { get; set; }

    /// <summary>The latest point (highest step, the last written on a tie).</summary>
    public long LastStep { get; set; }
    public int LastEpoch { get; set; }
    public double LastValue { get; set; }
    public DateTime LastTime { get; set; }

    /// <summary>The lowest value (the earliest on a tie).</summary>
    public long MinStep { get; set; }
    public int MinEpoch { get; set; }
    public double MinValue { get; set; }
    public DateTime MinTime { get; set; }

    /// <summary>The highest value (the earliest on a tie).</summary>
    public long MaxStep { get; set; }
    public int MaxEpoch { get; set; }
    public double MaxValue { get; set; }
    public DateTime MaxTime { get; set; }
}
