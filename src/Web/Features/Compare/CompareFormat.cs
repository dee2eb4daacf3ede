using System.Globalization;
using Tracker.Shared;
using Tracker.Web.Features.Compare.Statistics;

namespace Tracker.Web.Features.Compare;

/// <summary>
/// How the comparison writes its numbers: means to the digits their std supports (<see cref="MeanStdFormat"/>),
/// accuracies (stored in percent) with a "%", differences signed and to the digits their interval supports.
/// </summary>
public static class CompareFormat
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Accuracies are recorded in percent; they are written with a "%".</summary>
    public static bool IsPercent(string metricKey) => MetricKeys.HigherIsBetter(metricKey);

    /// <summary>"84.9 ± 1.2 %" for a group; a lone run's (n = 1) value alone; "—" when no run has the metric.</summary>
    public static string MeanStd(string metricKey, double? mean, double std, int n) => mean switch
    {
        null => "—",
        { } value when !double.IsFinite(value) => double.IsNaN(value) ? "NaN" : value > 0 ? "∞" : "-∞",
        { } value => MeanStdFormat.Format(value, n > 1 ? std : null) + Unit(metricKey),
    };

    /// <summary>"+1.2 % [+0.3, +2.1]": the difference other − baseline with its interval, to the digits the interval's half-width supports.</summary>
    public static string Difference(string metricKey, DifferenceEstimate estimate)
    {
        ArgumentNullException.ThrowIfNull(estimate);
        var halfWidth = (estimate.Upper - estimate.Lower) / 2;
        var decimals = double.IsFinite(halfWidth) && halfWidth > 0 ? MeanStdFormat.DecimalsFor(halfWidth) : MeanStdFormat.FallbackDecimals;
        return $"{Signed(estimate.Difference, decimals)}{Unit(metricKey)} [{Signed(estimate.Lower, decimals)}, {Signed(estimate.Upper, decimals)}]";
    }

    /// <summary>"p = 0.012", "p < 0.001"; "bootstrap" when the interval came from resampling, which gives no p-value.</summary>
    public static string PValue(DifferenceEstimate estimate)
    {
        ArgumentNullException.ThrowIfNull(estimate);
        return estimate.PValue switch
        {
            null => "bootstrap",
            < 0.001 => "p < 0.001",
            { } p => $"p = {p.ToString("F3", Invariant)}",
        };
    }

    /// <summary>How the interval was computed, for a tooltip.</summary>
    public static string Method(DifferenceEstimate estimate) => estimate.Method switch
    {
        ComparisonMethod.PairedT => "paired t-test by seed",
        ComparisonMethod.WelchT => "Welch's t-test",
        _ => "percentile bootstrap",
    };

    private static string Unit(string metricKey) => IsPercent(metricKey) ? " %" : "";

    private static string Signed(double value, int decimals)
    {
        var magnitude = Math.Round(Math.Abs(value), decimals, MidpointRounding.AwayFromZero);
        var text = magnitude.ToString("F" + decimals.ToString(Invariant), Invariant);
        // A bound that rounds to zero is written unsigned: "−0.0" or "+0.0" would claim a side it is not on.
        return magnitude == 0 ? text : (value < 0 ? "−" : "+") + text;
    }
}
