using Tracker.Shared;

namespace Tracker.Training.Engine.Schedules;

/// <summary>
/// The dropout or drop-path rate at each optimizer step, as the paper's official code builds it
/// (facebookresearch/dropout, drop_scheduler): with T = cutoffEpoch x stepsPerEpoch iterations,
/// early+constant is the rate for iterations 0..T-1 then 0; early+linear is a straight line from
/// the rate at iteration 0 to 0 at iteration T-1 (numpy's linspace), then 0; late is 0 for
/// iterations 0..T-1 then the rate; standard is the rate throughout.
/// </summary>
public sealed class DropRateSchedule
{
    private readonly double _rate;
    private readonly DropMode _mode;
    private readonly DropSchedule _schedule;
    private readonly long _cutoffSteps;

    public DropRateSchedule(DropSettings settings, long stepsPerEpoch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stepsPerEpoch, 1);
        _rate = settings.Rate;
        _mode = settings.Mode;
        _schedule = settings.Schedule;
        if (_mode == DropMode.Standard) return;
        if (settings.CutoffEpoch is not { } cutoff || cutoff < 1)
            throw new ArgumentException($"{_mode} mode needs a cutoff epoch of at least 1.", nameof(settings));
        if (_mode == DropMode.Late && _schedule == DropSchedule.Linear)
            throw new ArgumentException("Late mode is defined with a constant schedule only (the paper defines no late linear ramp).", nameof(settings));
        _cutoffSteps = cutoff * stepsPerEpoch;
    }

    /// <summary>The rate to use for the optimizer step with 0-based index <paramref name="step"/>.</summary>
    public double RateAt(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (_rate == 0) return 0;
        return _mode switch
        {
            DropMode.Standard => _rate,
            DropMode.Late => step < _cutoffSteps ? 0 : _rate,
            _ when step >= _cutoffSteps => 0,
            _ when _schedule == DropSchedule.Constant => _rate,
            // linspace(rate, 0, T): a single early iteration keeps the rate.
            _ => _cutoffSteps == 1 ? _rate : _rate * (1.0 - (double)step / (_cutoffSteps - 1)),
        };
    }
}
