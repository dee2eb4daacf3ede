using Microsoft.EntityFrameworkCore;
using Tracker.Shared;
using Tracker.Web.Data;

namespace Tracker.Web.Api;

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
            .Select(r => new
            {
                Run = r,
                BestValAcc = context.RunSummaries.Where(s => s.RunId == r.Id && s.Key == MetricKeys.ValAcc).Select(s => (double?)s.Max).FirstOrDefault(),
                BestValLoss = context.RunSummaries.Where(s => s.RunId == r.Id && s.Key == MetricKeys.ValLoss).Select(s => (double?)s.Min).FirstOrDefault(),
            })
            .ToListAsync(cancellationToken);
        if (rows.Count == 0) return null;

        var runs = rows.Select(x => new SweepRunItem(
            x.Run.Id, x.Run.Name, x.Run.Method, x.Run.Model, x.Run.Dataset, x.Run.Config.Seed, x.Run.Status, x.Run.Progress,
            x.Run.EpochsCompleted, x.Run.Config.Epochs, x.BestValAcc, x.BestValLoss, x.Run.Error)).ToList();
        var finished = runs.Count(r => IsFinished(r.Status));
        return new SweepDetail(sweepId, rows.Min(x => x.Run.CreatedAt), runs, finished);
    }

    public static bool IsFinished(RunStatus status) => status is not (RunStatus.Queued or RunStatus.Running);
}
