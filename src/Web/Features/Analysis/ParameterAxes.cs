using System.Globalization;

namespace Tracker.Web.Features.Analysis;

/// <summary>One run as the parameter views see it: its flattened config fields and its best value of each metric.</summary>
public sealed record ParameterRun(long Id, string Name, string Status, IReadOnlyDictionary<string, string> Fields, IReadOnlyDictionary<string, double> Metrics)
{
    /// <summary>
    /// The value shown for <paramref name="key"/>: the config field's text, else the metric's best value; null when absent.
    /// Fields come first because the "lr" metric (the scheduled rate) shares its name with the config's peak rate.
    /// </summary>
    public string? Text(string key) =>
        Fields.TryGetValue(key, out var field) ? field : Metrics.TryGetValue(key, out var metric) ? metric.ToString("G6", CultureInfo.InvariantCulture) : null;

    /// <summary>The exact text of the value for <paramref name="key"/> (round-trippable numbers), in the order of <see cref="Text"/>.</summary>
    public string? RawText(string key) =>
        Fields.TryGetValue(key, out var field) ? field : Metrics.TryGetValue(key, out var metric) ? metric.ToString("R", CultureInfo.InvariantCulture) : null;
}

/// <summary>
/// One axis of a parallel-coordinates or scatter view: a number per run. Numeric fields and metrics keep their values;
/// other fields (model, method) become positions 0..n-1 in sorted order with their texts as tick labels. NaN where a run lacks it.
/// </summary>
public sealed record ParameterAxis(string Key, IReadOnlyList<double> Values, IReadOnlyList<string>? Categories)
{
    public bool IsCategorical => Categories is not null;

    public static ParameterAxis Of(string key, IReadOnlyList<ParameterRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var texts = runs.Select(r => r.RawText(key)).ToList();
        var numeric = texts.All(t => t is null || double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
        if (numeric)
            return new ParameterAxis(key, texts.Select(t => t is null ? double.NaN : double.Parse(t, NumberStyles.Float, CultureInfo.InvariantCulture)).ToList(), null);
        var categories = texts.OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return new ParameterAxis(key, texts.Select(t => t is null ? double.NaN : categories.IndexOf(t)).ToList(), categories);
    }
}

/// <summary>Ranges brushed on the axes of a parallel-coordinates view: axis index to its intervals (any of which a value may fall in).</summary>
public sealed class ParameterBrush
{
    private readonly Dictionary<int, IReadOnlyList<(double Low, double High)>> _ranges = [];

    public bool IsEmpty => _ranges.Count == 0;

    public IReadOnlyDictionary<int, IReadOnlyList<(double Low, double High)>> Ranges => _ranges;

    /// <summary>Sets an axis's brushed intervals; none clears the axis.</summary>
    public void Set(int axis, IReadOnlyList<(double Low, double High)> intervals)
    {
        ArgumentNullException.ThrowIfNull(intervals);
        if (intervals.Count == 0) _ranges.Remove(axis);
        else _ranges[axis] = intervals.Select(i => (Math.Min(i.Low, i.High), Math.Max(i.Low, i.High))).ToList();
    }

    public void Clear() => _ranges.Clear();

    /// <summary>The indices of the runs whose value on every brushed axis lies in one of its intervals (ends included).</summary>
    public IReadOnlyList<int> Select(IReadOnlyList<ParameterAxis> axes, int runCount)
    {
        ArgumentNullException.ThrowIfNull(axes);
        return Enumerable.Range(0, runCount).Where(run => _ranges.All(brush =>
            brush.Key < axes.Count && brush.Value.Any(i => axes[brush.Key].Values[run] >= i.Low && axes[brush.Key].Values[run] <= i.High))).ToList();
    }
}
