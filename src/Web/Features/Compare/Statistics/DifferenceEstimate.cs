namespace Tracker.Web.Features.Compare.Statistics;

/// <summary>How a <see cref="DifferenceEstimate"/> was computed.</summary>
public enum ComparisonMethod
{
    /// <summary>Student t on the per-seed differences: both groups ran the same seeds.</summary>
    PairedT,

    /// <summary>Welch's t with Welch–Satterthwaite degrees of freedom: independent groups, variances not assumed equal.</summary>
    WelchT,

    /// <summary>Percentile bootstrap of the difference of means: no normality assumed, no p-value.</summary>
    Bootstrap,
}

/// <summary>
/// The difference of means (other − baseline) with its confidence interval. <see cref="T"/>, <see cref="DegreesOfFreedom"/>
/// and <see cref="PValue"/> (two-sided) are set by the t tests and null for the bootstrap.
/// </summary>
public sealed record DifferenceEstimate(
    ComparisonMethod Method,
    double Difference,
    double Lower,
    double Upper,
    double Confidence,
    double? T = null,
    double? DegreesOfFreedom = null,
    double? PValue = null)
{
    /// <summary>True when the whole interval lies on one side of zero.</summary>
    public bool ExcludesZero => Lower > 0 || Upper < 0;
}
