namespace Tracker.Training.Engine.Schedules;

/// <summary>
/// Per-step learning rate: a linear warm-up from 0 over the warm-up epochs, then a cosine decay
/// to <see cref="MinimumLr"/> over the remaining steps, as the paper's recipe (cosine, min lr 1e-6).
/// </summary>
public sealed class LearningRateSchedule
{
    /// <summary>The paper's floor; runs with a smaller peak rate decay to the peak instead of rising.</summary>
    public const double MinimumLr = 1e-6;

    private readonly double _peak, _floor;
    private readonly long _warmupSteps, _totalSteps;

    public LearningRateSchedule(double peakLr, int epochs, int warmupEpochs, long stepsPerEpoch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stepsPerEpoch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        _peak = peakLr;
        _floor = Math.Min(MinimumLr, peakLr);
        _warmupSteps = Math.Clamp(warmupEpochs, 0, epochs) * stepsPerEpoch;
        _totalSteps = epochs * stepsPerEpoch;
    }

    public double RateAt(long step)
    {
        if (step < _warmupSteps)
            return _warmupSteps == 1 ? _peak : _peak * step / (_warmupSteps - 1);
        var decaySteps = _totalSteps - _warmupSteps;
        if (decaySteps <= 0) return _peak;
        var progress = Math.Min(1.0, (double)(step - _warmupSteps) / decaySteps);
        return _floor + 0.5 * (_peak - _floor) * (1 + Math.Cos(Math.PI * progress));
    }
}
