using Microsoft.EntityFrameworkCore;
using Tracker.Web.Data;

namespace Tracker.Web.Compare;

/// <summary>
/// The reads behind a comparison: the runs, the keys they recorded (from the summaries), and every point of the shown
/// metrics of all the runs in one query, however many runs and metrics.
/// </summary>
public static class CompareQueries
{
    /// <summary>A comparison reads at most this many runs; more would not fit a chart's legend or a diff table.</summary>
    public const int MaxRuns = 200;

    public static async Task<CompareResult> LoadAsync(TrackerDbContext context, CompareState state, CancellationToken cancellationToken)
    {
        var ids = state.Runs.Take(MaxRuns).ToList();
        if (state.Runs.Count > MaxRuns)
            state = state with { Runs = ids, Problems = [.. state.Problems, $"Only the first {MaxRuns} of {state.Runs.Count} runs are compared."] };
        var runs = await RunsAsync(context, ids, cancellationToken);
        var found = runs.Select(r => r.Id).ToList();
        var available = await context.RunSummaries.AsNoTracking().Where(s => found.Contains(s.RunId))
            .Select(s => s.Key).Distinct().OrderBy(k => k).ToListAsync(cancellationToken);
        var points = await PointsAsync(context, found, state.ShownMetrics, cancellationToken);
        return CompareBuilder.Build(state, runs, points, available);
    }

    public static async Task<List<ComparedRun>> RunsAsync(TrackerDbContext context, IReadOnlyList<long> ids, CancellationToken cancellationToken)
    {
        var rows = await context.Runs.AsNoTracking().Where(r => ids.Contains(r.Id))
            .Select(r => new { r.Id, r.Name, r.Method, r.Status, r.StartedAt, r.Config })
            .ToListAsync(cancellationToken);
        return rows.Select(r => new ComparedRun(r.Id, r.Name, r.Method, r.Status, r.StartedAt, ConfigFields.Flatten(r.Config))).ToList();
    }

    /// <summary>All points of <paramref name="keys"/> of the runs, ordered by run, key, step and insertion: one query.</summary>
    public static Task<List<RawPoint>> PointsAsync(TrackerDbContext context, IReadOnlyList<long> runIds, IReadOnlyList<string> keys, CancellationToken cancellationToken) =>
        context.MetricPoints.AsNoTracking()
            .Where(p => runIds.Contains(p.RunId) && keys.Contains(p.Key))
            .OrderBy(p => p.RunId).ThenBy(p => p.Key).ThenBy(p => p.Step).ThenBy(p => p.Id)
            .Select(p => new RawPoint(p.RunId, p.Key, p.Step, p.Epoch, p.Value, p.Time))
            .ToListAsync(cancellationToken);
}
