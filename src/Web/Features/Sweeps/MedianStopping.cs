using System.Globalization;
using Tracker.Shared;

namespace Tracker.Web.Features.Sweeps;

/// <summary>Whether a running run should stop, and why, in a sentence a person can check.</summary>
public sealed record StoppingDecision(bool Stop, string Explanation, double? Median = null, int ComparedRuns = 0);

/// <summary>
/// The median stopping rule: stop a running run at epoch e when its value is worse than the median of the completed
/// runs' values at e. "Worse" follows <see cref="MetricKeys.HigherIsBetter"/> (below the median for accuracies, above
/// it for losses); equal to the median is not worse. Completed runs that have no value at e (shorter runs, or NaN
/// there) are left out of the median. No decision before <see cref="MinimumEpoch"/> or with fewer than
/// <see cref="MinimumCompletedRuns"/> completed runs that reached e.
/// </summary>
public sealed record MedianStopping(string MetricKey, int MinimumCompletedRuns = 3, int MinimumEpoch = 1)
{
    /// <summary>
    /// Decides for a run whose <see cref="MetricKey"/> is <paramref name="value"/> at <paramref name="epoch"/>, given each
    /// completed run's history (epoch → value). A NaN or infinite value of the running run is worse than any median.
    /// </summary>
    public StoppingDecision Decide(IReadOnlyList<IReadOnlyDictionary<int, double>> completedHistories, int epoch, double value)
    {
        ArgumentNullException.ThrowIfNull(completedHistories);
        if (MinimumCompletedRuns < 1) throw new InvalidOperationException("MinimumCompletedRuns must be at least 1.");
        if (epoch < MinimumEpoch)
            return new StoppingDecision(false, $"No decision before epoch {MinimumEpoch}; this is epoch {epoch}.");

        var values = completedHistories
            .Select(history => history.TryGetValue(epoch, out var v) ? v : double.NaN)
            .Where(double.IsFinite)
            .Order()
            .ToList();
        if (values.Count < MinimumCompletedRuns)
            return new StoppingDecision(false,
                $"No decision: {Runs(values.Count)} reached epoch {epoch}; the rule needs at least {MinimumCompletedRuns}.", ComparedRuns: values.Count);

        var median = values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
        var higherIsBetter = MetricKeys.HigherIsBetter(MetricKey);
        var worse = !double.IsFinite(value) || (higherIsBetter ? value < median : value > median);
        var relation = worse ? (higherIsBetter ? "below" : "above") : (value == median ? "at" : higherIsBetter ? "above" : "below");
        var explanation = $"{MetricKey} {Text(value)} at epoch {epoch} is {relation} the median {Text(median)} of {Runs(values.Count)}";
        return new StoppingDecision(worse, explanation, median, values.Count);
    }

    private static string Runs(int count) => count == 1 ? "1 completed run" : $"{count.ToString(CultureInfo.InvariantCulture)} completed runs";

    // Accuracies are recorded in percent; losses and the rest are written with four significant digits.
    private string Text(double value) => MetricKeys.HigherIsBetter(MetricKey)
        ? value.ToString("F1", CultureInfo.InvariantCulture) + " %"
        : value.ToString("G4", CultureInfo.InvariantCulture);
}
