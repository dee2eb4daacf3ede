using Microsoft.EntityFrameworkCore;
using Tracker.Shared;
using Tracker.Web.Data;

namespace Tracker.Web.Features.Sweeps;

/// <summary>The reads behind the sweep page and GET /api/sweeps/{id}.</summary>
public static class SweepQueries
{
    /// <summary>The sweep's runs in queue order, or null when no run carries <paramref name="sweepId"/>.</summary>
    public static async Task<SweepDetail?> FindAsync(TrackerDbContext context, string sweepId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(sweepId);
        var rows = await context.Runs.AsNoTracking()
            .Where(r => r.SweepId == sweepId)
            .OrderBy(r => r.Id)
            // The listed columns only: seed and planned epochs are columns too, so the config JSON is never read.
            .Select(r => new
            {
                Item = new SweepRunItem(
                    r.Id, r.Name, r.Method, r.Model, r.Dataset, r.Seed, r.Status, r.Progress, r.EpochsCompleted, r.Epochs,
                    context.RunSummaries.Where(s => s.RunId == r.Id && s.Key == MetricKeys.ValAcc).Select(s => (double?)s.Max).FirstOrDefault(),
                    context.RunSummaries.Where(s => s.RunId == r.Id && s.Key == MetricKeys.ValLoss).Select(s => (double?)s.Min).FirstOrDefault(),
                    r.Error),
                r.CreatedAt,
            })
            .ToListAsync(cancellationToken);
        if (rows.Count == 0) return null;

        var runs = rows.Select(x => x.Item).ToList();
        var finished = runs.Count(r => !r.Status.IsActive());
        return new SweepDetail(sweepId, rows.Min(x => x.CreatedAt), runs, finished);
    }

    public static bool IsFinished(RunStatus status) => !status.IsActive();
}
