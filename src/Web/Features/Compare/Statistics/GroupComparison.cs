namespace Tracker.Web.Features.Compare.Statistics;

/// <summary>One run's final value of a metric, with the seed it ran with when known (pairs runs across groups).</summary>
public readonly record struct SeededValue(double Value, long? Seed = null);

/// <summary>A group compared with its baseline: both means, the difference other − baseline with its interval, and the verdict.</summary>
public sealed record GroupComparisonResult(
    int BaselineRuns,
    int OtherRuns,
    double BaselineMean,
    double OtherMean,
    DifferenceEstimate? Estimate,
    ComparisonVerdict Verdict);

/// <summary>
/// Compares a group of runs with a baseline group on one metric. Which interval decides is chosen by
/// <see cref="ChooseMethod"/>, the one place for that rule.
/// </summary>
public static class GroupComparison
{
    /// <summary>From this many runs in both groups, unpaired groups are compared by bootstrap instead of Welch's t.</summary>
    public const int BootstrapMinimumRuns = 10;

    /// <summary>
    /// The rule: <b>paired t</b> when both groups ran exactly the same seeds (each seed once), since pairing removes
    /// the seed-to-seed spread the groups share; otherwise <b>Welch's t</b> while either group has fewer than
    /// <see cref="BootstrapMinimumRuns"/> runs — it handles small and unequal groups with unequal spreads, where a
    /// percentile bootstrap is too narrow (with 3 runs a group has only 10 distinct resampled means); otherwise the
    /// <b>bootstrap</b>, which drops the normality assumption that accuracies bunched near a ceiling break.
    /// </summary>
    public static ComparisonMethod ChooseMethod(IReadOnlyList<SeededValue> baseline, IReadOnlyList<SeededValue> other)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(other);
        if (SameSeeds(baseline, other)) return ComparisonMethod.PairedT;
        return baseline.Count >= BootstrapMinimumRuns && other.Count >= BootstrapMinimumRuns
            ? ComparisonMethod.Bootstrap
            : ComparisonMethod.WelchT;
    }

    /// <summary>
    /// Compares <paramref name="other"/> with <paramref name="baseline"/> on <paramref name="metricKey"/> at 95 %.
    /// Non-finite values (diverged runs) are left out first. No estimate when a group has fewer than 2 values.
    /// </summary>
    public static GroupComparisonResult Compare(IReadOnlyList<SeededValue> baseline, IReadOnlyList<SeededValue> other,
        string metricKey, double confidence = 0.95)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(other);
        var baseRuns = baseline.Where(v => double.IsFinite(v.Value)).ToList();
        var otherRuns = other.Where(v => double.IsFinite(v.Value)).ToList();
        var estimate = baseRuns.Count < 2 || otherRuns.Count < 2 ? null : Estimate(baseRuns, otherRuns, confidence);
        return new GroupComparisonResult(baseRuns.Count, otherRuns.Count,
            baseRuns.Count == 0 ? double.NaN : baseRuns.Average(v => v.Value),
            otherRuns.Count == 0 ? double.NaN : otherRuns.Average(v => v.Value),
            estimate, ComparisonVerdicts.Decide(estimate, baseRuns.Count, otherRuns.Count, metricKey));
    }

    private static DifferenceEstimate Estimate(List<SeededValue> baseline, List<SeededValue> other, double confidence)
    {
        switch (ChooseMethod(baseline, other))
        {
            case ComparisonMethod.PairedT:
                var seeds = baseline.Select(v => v.Seed!.Value).Order().ToList();
                return TTests.Paired(InSeedOrder(baseline, seeds), InSeedOrder(other, seeds), confidence);
            case ComparisonMethod.Bootstrap:
                return BootstrapInterval.Unpaired(Values(baseline), Values(other), confidence);
            default:
                return TTests.Welch(Values(baseline), Values(other), confidence);
        }
    }

    private static bool SameSeeds(IReadOnlyList<SeededValue> baseline, IReadOnlyList<SeededValue> other)
    {
        if (baseline.Count != other.Count || baseline.Any(v => v.Seed is null) || other.Any(v => v.Seed is null)) return false;
        var seeds = baseline.Select(v => v.Seed!.Value).ToHashSet();
        return seeds.Count == baseline.Count && seeds.SetEquals(other.Select(v => v.Seed!.Value));
    }

    private static List<double> InSeedOrder(List<SeededValue> group, List<long> seeds)
    {
        var bySeed = group.ToDictionary(v => v.Seed!.Value, v => v.Value);
        return seeds.Select(seed => bySeed[seed]).ToList();
    }

    private static List<double> Values(List<SeededValue> group) => group.Select(v => v.Value).ToList();
}
