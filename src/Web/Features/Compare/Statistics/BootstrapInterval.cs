namespace Tracker.Web.Features.Compare.Statistics;

/// <summary>
/// Percentile bootstrap intervals for the difference of means (other − baseline). The resampling is driven by
/// <see cref="System.Random"/> with a fixed seed, so the same inputs give the same interval on the same .NET.
/// </summary>
public static class BootstrapInterval
{
    public const int DefaultResamples = 10_000;
    public const int DefaultSeed = 20_240_601;

    /// <summary>
    /// Independent groups: each resample draws n₁ baseline and n₂ other values with replacement and records the
    /// difference of their means; the interval is the (1 − confidence)/2 and (1 + confidence)/2 quantiles of those
    /// differences (linear interpolation between order statistics).
    /// </summary>
    public static DifferenceEstimate Unpaired(IReadOnlyList<double> baseline, IReadOnlyList<double> other,
        double confidence = 0.95, int resamples = DefaultResamples, int seed = DefaultSeed)
    {
        Check(baseline, nameof(baseline), confidence, resamples);
        Check(other, nameof(other), confidence, resamples);
        var random = new Random(seed);
        var differences = new double[resamples];
        for (var r = 0; r < resamples; r++)
            differences[r] = ResampledMean(other, random) - ResampledMean(baseline, random);
        return FromDifferences(other.Average() - baseline.Average(), differences, confidence);
    }

    /// <summary>Same seeds in both groups: resamples the per-seed differences otherᵢ − baselineᵢ, keeping pairs together.</summary>
    public static DifferenceEstimate Paired(IReadOnlyList<double> baseline, IReadOnlyList<double> other,
        double confidence = 0.95, int resamples = DefaultResamples, int seed = DefaultSeed)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(other);
        if (baseline.Count != other.Count)
            throw new ArgumentException($"A paired bootstrap needs one baseline value per other value ({baseline.Count} vs {other.Count}).", nameof(other));
        var pairs = other.Zip(baseline, (o, b) => o - b).ToList();
        Check(pairs, nameof(baseline), confidence, resamples);
        var random = new Random(seed);
        var differences = new double[resamples];
        for (var r = 0; r < resamples; r++) differences[r] = ResampledMean(pairs, random);
        return FromDifferences(pairs.Average(), differences, confidence);
    }

    /// <summary>The q-quantile of sorted values, interpolating linearly between neighbours (numpy's default).</summary>
    public static double Quantile(double[] sorted, double q)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Length == 0) throw new ArgumentException("No values to take a quantile of.", nameof(sorted));
        if (q is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(q), q, "A quantile lies between 0 and 1.");
        var position = q * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    private static DifferenceEstimate FromDifferences(double observed, double[] differences, double confidence)
    {
        Array.Sort(differences);
        var tail = (1 - confidence) / 2;
        return new DifferenceEstimate(ComparisonMethod.Bootstrap, observed,
            Quantile(differences, tail), Quantile(differences, 1 - tail), confidence);
    }

    private static double ResampledMean(IReadOnlyList<double> values, Random random)
    {
        var sum = 0.0;
        for (var i = 0; i < values.Count; i++) sum += values[random.Next(values.Count)];
        return sum / values.Count;
    }

    private static void Check(IReadOnlyList<double> values, string name, double confidence, int resamples)
    {
        ArgumentNullException.ThrowIfNull(values, name);
        if (values.Count == 0) throw new ArgumentException($"{name} has no values to resample.", name);
        if (values.Any(v => !double.IsFinite(v))) throw new ArgumentException($"{name} holds a NaN or infinite value; leave diverged runs out first.", name);
        if (confidence is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "The confidence must be between 0 and 1, e.g. 0.95.");
        if (resamples < 100) throw new ArgumentOutOfRangeException(nameof(resamples), resamples, "Use at least 100 resamples; 10,000 is the default.");
    }
}
