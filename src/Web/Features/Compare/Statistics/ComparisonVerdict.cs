using Tracker.Shared;

namespace Tracker.Web.Features.Compare.Statistics;

/// <summary>What a comparison of a group against its baseline says, in the metric's own direction.</summary>
public enum ComparisonVerdict
{
    /// <summary>Fewer than <see cref="ComparisonVerdicts.MinimumRuns"/> runs in either group: no claim either way.</summary>
    TooFewRuns,

    /// <summary>The interval includes zero.</summary>
    NoClearDifference,

    /// <summary>The interval excludes zero on the side the metric improves towards.</summary>
    Better,

    /// <summary>The interval excludes zero on the side the metric gets worse towards.</summary>
    Worse,
}

/// <summary>The one place that turns a difference's interval into a verdict.</summary>
public static class ComparisonVerdicts
{
    /// <summary>Below this many runs in a group, no verdict is given, whatever the interval says.</summary>
    public const int MinimumRuns = 3;

    /// <summary>
    /// Too few runs when either group has fewer than <see cref="MinimumRuns"/> (or no estimate); otherwise better or worse
    /// when the interval of other − baseline excludes zero, read through <see cref="MetricKeys.HigherIsBetter"/>
    /// (accuracies up, losses down); otherwise no clear difference.
    /// </summary>
    public static ComparisonVerdict Decide(DifferenceEstimate? estimate, int baselineRuns, int otherRuns, string metricKey)
    {
        if (estimate is null || baselineRuns < MinimumRuns || otherRuns < MinimumRuns) return ComparisonVerdict.TooFewRuns;
        if (!estimate.ExcludesZero) return ComparisonVerdict.NoClearDifference;
        var otherIsHigher = estimate.Lower > 0;
        return otherIsHigher == MetricKeys.HigherIsBetter(metricKey) ? ComparisonVerdict.Better : ComparisonVerdict.Worse;
    }

    /// <summary>"better", "worse", "no clear difference" or "too few runs".</summary>
    public static string Describe(this ComparisonVerdict verdict) => verdict switch
    {
        ComparisonVerdict.Better => "better",
        ComparisonVerdict.Worse => "worse",
        ComparisonVerdict.NoClearDifference => "no clear difference",
        _ => "too few runs",
    };
}
