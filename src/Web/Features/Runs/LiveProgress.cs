using Tracker.Shared;
using Tracker.Web.Data;

namespace Tracker.Web.Features.Runs;

/// <summary>
/// How far a run is, down to the steps of the epoch in progress: what the run page's progress line shows, worked out
/// from the step events (every <see cref="RunConfig.StepEventEvery"/> steps) so it moves within an epoch, and a time
/// left that counts down between events (<see cref="RunLiveState.Progress"/> is asked again on a timer).
/// </summary>
/// <param name="Epoch">The epoch in progress (1-based) while the run trains; the last completed one otherwise.</param>
/// <param name="StepsInEpoch">Steps done in that epoch; null when not known (no step event in it yet).</param>
/// <param name="StepsPerEpoch">Steps an epoch takes: the first epoch's, else worked out from the config; null when not known.</param>
/// <param name="SamplesPerSecond">Training speed over the last step events of the epoch; null before two of them.</param>
/// <param name="Remaining">Time left; null when it cannot be told yet or the run is not running.</param>
/// <param name="Percent">Epochs done, with the fraction of the current one, over epochs planned: 0 to 100.</param>
public sealed record LiveProgress(int Epoch, long? StepsInEpoch, long? StepsPerEpoch, double? SamplesPerSecond, TimeSpan? Remaining, double Percent)
{
    /// <summary>The progress of <paramref name="state"/> at <paramref name="now"/> (UTC).</summary>
    public static LiveProgress Of(RunLiveState state, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(state);
        var planned = state.EpochsPlanned;
        var completed = state.EpochsCompleted;
        var running = state.Status == RunStatus.Running;
        var percentDone = planned <= 0 ? 0 : 100 * RunStatuses.Progress(completed, planned);
        if (!running || completed >= planned)
            return new LiveProgress(Math.Max(completed, 0), null, StepsPerEpochOf(state), null, null, percentDone);

        var stepsPerEpoch = StepsPerEpochOf(state);
        var epochStart = state.EpochEndStep(completed);
        long? inEpoch = epochStart is { } start && state.LatestStep > start ? state.LatestStep - start : null;
        if (inEpoch is { } done && stepsPerEpoch is { } perEpoch) inEpoch = Math.Min(done, perEpoch);
        var fraction = inEpoch is { } steps && stepsPerEpoch is { } total && total > 0 ? Math.Min((double)steps / total, 1) : 0;

        var stepsPerSecond = epochStart is { } from ? StepsPerSecond(state, from, completed) : null;
        var samplesPerSecond = stepsPerSecond * state.Config.BatchSize;
        var percent = planned <= 0 ? 0 : Math.Min(100, 100 * (completed + fraction) / planned);
        return new LiveProgress(completed + 1, inEpoch, stepsPerEpoch, samplesPerSecond,
            RemainingAt(state, now, fraction, stepsPerEpoch, stepsPerSecond), percent);
    }

    /// <summary>
    /// Epochs left by the average epoch so far (validation included), less the part of this epoch already done; in the
    /// first epoch, steps left by the speed so far. Either counts down from when it was last told, never below zero.
    /// </summary>
    private static TimeSpan? RemainingAt(RunLiveState state, DateTime now, double fraction, long? stepsPerEpoch, double? stepsPerSecond)
    {
        var (planned, completed) = (state.EpochsPlanned, state.EpochsCompleted);
        TimeSpan atSample;
        DateTime sampledAt;
        if (completed >= 1 && state.StartedAt is { } started && state.LastEpochAt is { } lastEpoch)
        {
            var perEpoch = (lastEpoch - started) / completed;
            if (perEpoch <= TimeSpan.Zero) return null;
            // The step time counts only once the step is past the epoch's end (an older point loaded with the page is not).
            sampledAt = state.LatestStepAt is { } stepAt && stepAt > lastEpoch && fraction > 0 ? stepAt : lastEpoch;
            atSample = perEpoch * Math.Max(planned - completed - (sampledAt == lastEpoch ? 0 : fraction), 0);
        }
        else if (stepsPerSecond is > 0 && stepsPerEpoch is { } perEpoch && state.LatestStepAt is { } stepAt)
        {
            var stepsLeft = Math.Max(perEpoch * planned - state.LatestStep, 0);
            atSample = TimeSpan.FromSeconds(stepsLeft / stepsPerSecond.Value);
            sampledAt = stepAt;
        }
        else
        {
            return null;
        }
        var remaining = atSample - (now - sampledAt);
        return remaining < TimeSpan.Zero ? TimeSpan.Zero : remaining;
    }

    /// <summary>
    /// Steps per second over the step events of the epoch in progress; with a single one, from the epoch's start (the
    /// previous epoch's end, or the run's start for the first). Null when the epoch has no step event yet.
    /// </summary>
    private static double? StepsPerSecond(RunLiveState state, long epochStart, int completed)
    {
        var recent = state.RecentStepsAfter(epochStart);
        if (recent.Count == 0) return null;
        var (firstStep, firstAt) = recent[0];
        if (recent.Count == 1)
        {
            var startedAt = completed == 0 ? state.StartedAt : state.LastEpochAt;
            if (startedAt is not { } at) return null;
            (firstStep, firstAt) = (epochStart, at);
        }
        var (lastStep, lastAt) = recent[^1];
        var seconds = (lastAt - firstAt).TotalSeconds;
        return seconds > 0 && lastStep > firstStep ? (lastStep - firstStep) / seconds : null;
    }

    /// <summary>The first completed epoch's steps when the run has one, else the config's arithmetic; null when neither tells.</summary>
    public static long? StepsPerEpochOf(RunLiveState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        for (var epoch = 1; epoch <= state.EpochsCompleted; epoch++)
            if (state.EpochEndStep(epoch) is { } end && state.EpochEndStep(epoch - 1) is { } start && end > start)
                return end - start;
        return PlannedStepsPerEpoch(state.Config);
    }

    /// <summary>
    /// The steps of one epoch as the engine's loader counts them: the training examples (the subset, if smaller) in batches,
    /// the last one partial, cut at maxStepsPerEpoch. Null when the dataset's size is not known here (an npz file).
    /// </summary>
    public static long? PlannedStepsPerEpoch(RunConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (KnownDatasets.TrainingSetSize(config.Dataset) is not { } size || config.BatchSize < 1) return null;
        var examples = config.TrainSubset is { } subset ? Math.Min(subset, size) : size;
        long steps = (examples + config.BatchSize - 1) / config.BatchSize;
        return config.MaxStepsPerEpoch is { } limit ? Math.Min(steps, limit) : steps;
    }
}
