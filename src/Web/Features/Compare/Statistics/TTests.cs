using MathNet.Numerics.Distributions;

namespace Tracker.Web.Features.Compare.Statistics;

/// <summary>
/// Welch's and the paired t test for the difference of two groups' means, with a two-sided p-value and a confidence
/// interval. The Student t distribution comes from MathNet.Numerics (docs/decisions/0007-statistics-library.md).
/// </summary>
public static class TTests
{
    /// <summary>
    /// Welch's t test of mean(other) − mean(baseline) for independent groups: se = √(s₁²/n₁ + s₂²/n₂) and
    /// df = (s₁²/n₁ + s₂²/n₂)² / ((s₁²/n₁)²/(n₁−1) + (s₂²/n₂)²/(n₂−1)). Each group needs at least 2 values.
    /// </summary>
    public static DifferenceEstimate Welch(IReadOnlyCollection<double> baseline, IReadOnlyCollection<double> other, double confidence = 0.95)
    {
        RequireAtLeastTwo(baseline, nameof(baseline));
        RequireAtLeastTwo(other, nameof(other));
        var (meanBase, varBase) = MeanVariance(baseline);
        var (meanOther, varOther) = MeanVariance(other);
        var shareBase = varBase / baseline.Count;
        var shareOther = varOther / other.Count;
        var standardError = Math.Sqrt(shareBase + shareOther);
        var degrees = standardError == 0
            ? baseline.Count + other.Count - 2 // Both groups constant: df is 0/0; any df gives the same zero-width interval.
            : (shareBase + shareOther) * (shareBase + shareOther)
              / (shareBase * shareBase / (baseline.Count - 1) + shareOther * shareOther / (other.Count - 1));
        return Estimate(ComparisonMethod.WelchT, meanOther - meanBase, standardError, degrees, confidence);
    }

    /// <summary>
    /// Paired t test: the differences dᵢ = otherᵢ − baselineᵢ (same seed at the same index), t = mean(d) / (s_d/√n),
    /// df = n − 1. Needs at least 2 pairs.
    /// </summary>
    public static DifferenceEstimate Paired(IReadOnlyList<double> baseline, IReadOnlyList<double> other, double confidence = 0.95)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(other);
        if (baseline.Count != other.Count)
            throw new ArgumentException($"A paired test needs one baseline value per other value ({baseline.Count} vs {other.Count}).", nameof(other));
        var differences = other.Zip(baseline, (o, b) => o - b).ToList();
        RequireAtLeastTwo(differences, nameof(baseline));
        var (mean, variance) = MeanVariance(differences);
        return Estimate(ComparisonMethod.PairedT, mean, Math.Sqrt(variance / differences.Count), differences.Count - 1, confidence);
    }

    /// <summary>Two-sided p-value of a t statistic under Student t with <paramref name="degrees"/> degrees of freedom.</summary>
    public static double TwoSidedP(double t, double degrees) =>
        double.IsInfinity(t) ? 0 : 2 * StudentT.CDF(0, 1, degrees, -Math.Abs(t));

    /// <summary>The t quantile that leaves (1 − confidence)/2 in each tail, e.g. 2.776 for 95 % at df = 4.</summary>
    public static double CriticalValue(double degrees, double confidence) =>
        StudentT.InvCDF(0, 1, degrees, 1 - (1 - confidence) / 2);

    /// <summary>Mean and sample variance (n − 1).</summary>
    internal static (double Mean, double Variance) MeanVariance(IReadOnlyCollection<double> values)
    {
        var mean = values.Average();
        return (mean, values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }

    private static DifferenceEstimate Estimate(ComparisonMethod method, double difference, double standardError, double degrees, double confidence)
    {
        if (confidence is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "The confidence must be between 0 and 1, e.g. 0.95.");
        if (standardError == 0)
        {
            // No spread at all: the difference is exactly what was measured; zero when the groups agree.
            var t = difference == 0 ? 0 : Math.CopySign(double.PositiveInfinity, difference);
            return new DifferenceEstimate(method, difference, difference, difference, confidence, t, degrees, difference == 0 ? 1 : 0);
        }
        var statistic = difference / standardError;
        var halfWidth = CriticalValue(degrees, confidence) * standardError;
        return new DifferenceEstimate(method, difference, difference - halfWidth, difference + halfWidth, confidence,
            statistic, degrees, TwoSidedP(statistic, degrees));
    }

    private static void RequireAtLeastTwo(IReadOnlyCollection<double> values, string name)
    {
        ArgumentNullException.ThrowIfNull(values, name);
        if (values.Count < 2) throw new ArgumentException($"A t test needs at least 2 values in each group; {name} has {values.Count}.", name);
        if (values.Any(v => !double.IsFinite(v))) throw new ArgumentException($"{name} holds a NaN or infinite value; leave diverged runs out first.", name);
    }
}
