using System.Globalization;
using Tracker.Shared;
using Tracker.Web.Data;

namespace Tracker.Web.Features.Runs;

/// <summary>
/// What an empty chart of the run page says instead of an empty box: when its first point is due, worked out from the
/// run's config (the step-event interval, the analysis interval, the steps of an epoch), or why none will come.
/// </summary>
public static class ChartPlaceholders
{
    public const string NotStarted = "Waiting for the run to start.";
    public const string NoPoints = "No points were recorded.";

    /// <summary>An epoch chart's text (loss, accuracy): its first point comes with the end of the first epoch.</summary>
    public static string Epoch(RunLiveState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Status == RunStatus.Queued) return NotStarted;
        if (!state.IsActive) return state.Status == RunStatus.Diverged ? "The run diverged before the end of its first epoch." : NoPoints;
        var epoch = state.EpochsCompleted + 1;
        return LiveProgress.StepsPerEpochOf(state) is { } steps
            ? $"First point at the end of epoch {epoch} (step {Number(steps * epoch)})."
            : $"First point at the end of epoch {epoch}.";
    }

    /// <summary>
    /// A step chart's text. <paramref name="every"/>: the interval (in steps) of the events that report its keys; 0 or
    /// less when those events are off, and the chart's points then come only at the ends of epochs (or never).
    /// </summary>
    public static string Step(RunLiveState state, int every, bool alsoAtEpochEnds)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Status == RunStatus.Queued) return NotStarted;
        if (!state.IsActive) return NoPoints;
        var perEpoch = LiveProgress.StepsPerEpochOf(state);
        // The next multiple of the interval after where the run stands, as the engine counts: steps are 1-based.
        long? next = every > 0 ? (state.LatestStep / every + 1) * every : null;
        long? epochEnd = alsoAtEpochEnds && perEpoch is { } steps ? steps * (state.EpochsCompleted + 1) : null;
        var first = (next, epochEnd) switch
        {
            ({ } a, { } b) => Math.Min(a, b),
            ({ } a, null) => a,
            (null, { } b) => b,
            _ => (long?)null,
        };
        if (first is { } step) return $"First point after step {Number(step)}.";
        return alsoAtEpochEnds ? "First point at the end of the first epoch." : "This run reports no points here.";
    }

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
