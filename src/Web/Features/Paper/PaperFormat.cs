using System.Globalization;

namespace Tracker.Web.Features.Paper;

/// <summary>How the paper page writes numbers: published values as printed, our means to the paper's precision.</summary>
public static class PaperFormat
{
    /// <summary>A published value exactly as the source prints it; empty when the source gives none.</summary>
    public static string Reference(double? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    /// <summary>"74.3 ± 0.2" (accuracies, 1 decimal) or "0.412 ± 0.010" (losses, 3); a single run's std is "—".</summary>
    public static string Stat(Stat stat, int decimals)
    {
        ArgumentNullException.ThrowIfNull(stat);
        var format = "F" + decimals.ToString(CultureInfo.InvariantCulture);
        return $"{stat.Mean.ToString(format, CultureInfo.InvariantCulture)} ± {(stat.Std is { } std ? std.ToString(format, CultureInfo.InvariantCulture) : "—")}";
    }

    /// <summary>A signed difference, "+0.4" or "−1.2" (true minus sign).</summary>
    public static string Difference(double difference, int decimals)
    {
        var magnitude = Math.Abs(difference).ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return (difference < 0 && magnitude.Any(c => c is >= '1' and <= '9') ? "−" : "+") + magnitude;
    }

    /// <summary>"reproduced", "contradicted" or "inconclusive", as every view writes a verdict.</summary>
    public static string Verdict(Reproduction verdict) => verdict.ToString().ToLowerInvariant();

    /// <summary>Decimals for a metric key: 3 for losses, 1 for accuracies in percent.</summary>
    public static int DecimalsFor(string metricKey) => metricKey.Contains("loss", StringComparison.Ordinal) ? 3 : 1;
}
