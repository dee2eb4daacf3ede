using Tracker.Shared;

namespace Tracker.Web.Data;

/// <summary>
/// The last, lowest and highest value of one metric, and how many points it has. The one rule for folding a point in:
/// <see cref="MetricWriter"/> folds each batch with it (its SQL upsert merges batches the same way) and the run page
/// folds live points with it, so a reload shows the same numbers.
/// </summary>
public sealed record MetricSummary(
    [property: NonFiniteNumber] double Last, long LastStep, [property: NonFiniteNumber] double Min, [property: NonFiniteNumber] double Max, long Count)
{
    /// <summary>The summary of a single point.</summary>
    public static MetricSummary Of(long step, double value) => new(value, step, value, value, 1);

    /// <summary>
    /// This summary with one more point; an equal or later step replaces <see cref="Last"/> (the later point wins), an
    /// earlier one (a resumed run's batch) leaves it. <paramref name="isNew"/> false: the point was seen before, so
    /// it is not counted twice.
    /// </summary>
    public MetricSummary With(long step, double value, bool isNew = true)
    {
        var later = step >= LastStep;
        return new MetricSummary(later ? value : Last, later ? step : LastStep, Math.Min(Min, value), Math.Max(Max, value), Count + (isNew ? 1 : 0));
    }
}
