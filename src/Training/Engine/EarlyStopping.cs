using Tracker.Shared;

namespace Tracker.Training.Engine;

/// <summary>Stops a run once its monitored metric has not improved for <c>patience</c> epochs in a row.</summary>
public sealed class EarlyStopping(EarlyStoppingSettings settings)
{
    public string Metric => settings.Metric;

    public double? Best { get; private set; }

    public int? BestEpoch { get; private set; }

    public int EpochsWithoutImprovement { get; private set; }

    /// <summary>Records an epoch's value; returns true when training should stop.</summary>
    public bool ShouldStop(int epoch, double value)
    {
        var improved = Best is not { } best || (settings.Mode == MetricMode.Max ? value > best : value < best);
        if (improved && !double.IsNaN(value))
        {
            (Best, BestEpoch, EpochsWithoutImprovement) = (value, epoch, 0);
            return false;
        }
        EpochsWithoutImprovement++;
        return EpochsWithoutImprovement >= settings.Patience;
    }

    /// <summary>State for checkpoints, so a resumed run counts patience exactly as an uninterrupted one.</summary>
    public (double? Best, int? BestEpoch, int EpochsWithoutImprovement) State
    {
        get => (Best, BestEpoch, EpochsWithoutImprovement);
        set => (Best, BestEpoch, EpochsWithoutImprovement) = value;
    }
}
