using Microsoft.EntityFrameworkCore;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Features.Compare;
using Tracker.Web.Features.Runs.Filtering;

namespace Tracker.Web.Features.Analysis;

/// <summary>The runs of a /runs filter or of a sweep, with their config fields and best metric values, for the parameter views.</summary>
public static class ParameterQueries
{
    /// <summary>More lines than this make parallel coordinates unreadable and the page slow; the newest are shown.</summary>
    public const int MaxRuns = 1000;

    /// <summary>The runs, oldest first, or the filter's error (naming its column).</summary>
    public static async Task<(IReadOnlyList<ParameterRun> Runs, string? Error)> LoadAsync(
        TrackerDbContext context, string? query, string? sweepId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!RunFilter.TryCompile(query, out var predicate, out var error)) return ([], $"{error.Message} (column {error.Column})");
        IQueryable<Run> runs = context.Runs.AsNoTracking();
        if (predicate is not null) runs = runs.Where(predicate);
        if (!string.IsNullOrWhiteSpace(sweepId)) runs = runs.Where(r => r.SweepId == sweepId);
        var rows = await runs.OrderByDescending(r => r.Id).Take(MaxRuns)
            .Select(r => new { r.Id, r.Name, r.Status, r.Config }).ToListAsync(cancellationToken);
        var ids = rows.Select(r => r.Id).ToList();
        var summaries = await context.RunSummaries.AsNoTracking().Where(s => ids.Contains(s.RunId))
            .Select(s => new { s.RunId, s.Key, s.Min, s.Max }).ToListAsync(cancellationToken);
        var metrics = summaries.ToLookup(s => s.RunId);
        return (rows.OrderBy(r => r.Id).Select(r => new ParameterRun(
            r.Id, r.Name, r.Status.ToString(),
            ConfigFields.Flatten(r.Config).GroupBy(f => f.Key).ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal),
            metrics[r.Id].ToDictionary(s => s.Key, s => MetricKeys.HigherIsBetter(s.Key) ? s.Max : s.Min, StringComparer.Ordinal))).ToList(), null);
    }
}
