namespace Tracker.Web.Data;

/// <summary>
/// What a sweep was asked for: how its runs were made (a grid or a random search, the search as submitted) and its
/// early-stopping rule, if any. Its runs point at it by <see cref="Run.SweepId"/>; sweeps queued before this table
/// existed have runs but no row, and are read as sweeps without early stopping. Times are UTC.
/// </summary>
public sealed class Sweep
{
    /// <summary>The id runs carry in <see cref="Run.SweepId"/>.</summary>
    public required string Id { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>"grid" or "random".</summary>
    public required string Kind { get; set; }
    /// <summary>The grid or the search space, seed and run count as JSON, so the sweep page shows what was searched.</summary>
    public string? Definition { get; set; }
    /// <summary>The metric the median stopping rule watches; null = early stopping off.</summary>
    public string? EarlyStopMetric { get; set; }
    public int EarlyStopMinRuns { get; set; }
    public int EarlyStopMinEpoch { get; set; }
}
