using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Jobs;
using Tracker.Web.Security;

namespace Tracker.Web.Features.Runs;

/// <summary>What <see cref="RunDeletion.DeleteAsync"/> did.</summary>
public enum DeleteResult
{
    Deleted,
    NotFound,
    NotYours,
    /// <summary>Queued or running: it must be cancelled first, so no worker writes to a run that is gone.</summary>
    StillActive,
}

/// <summary>
/// Deletes a finished run for good: its row, and with it (the schema's cascades) its config, metrics, events, summaries,
/// job and webhook deliveries; then its share links and its checkpoint folder. Only its owner or an admin may, and the
/// act goes to the audit log. The database goes first: a failure there leaves everything as it was.
/// </summary>
public sealed class RunDeletion(IDbContextFactory<TrackerDbContext> contexts, RunCheckpoints checkpoints, AuditLog audit, ILogger<RunDeletion> logger)
{
    public async Task<DeleteResult> DeleteAsync(long runId, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var run = await context.Runs.AsNoTracking().Where(r => r.Id == runId).Select(r => new { r.Owner, r.Status, r.Name }).FirstOrDefaultAsync(cancellationToken);
        if (run is null) return DeleteResult.NotFound;
        if (!TrackerClaims.MayChangeRun(user, run.Owner)) return DeleteResult.NotYours;

        var target = runId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using (var transaction = await context.Database.BeginTransactionAsync(cancellationToken))
        {
            // The status is checked again in the delete itself, so a run that was just retried into the queue stays. Plain
            // SQL: EF's ExecuteDelete refuses an entity split over two tables (Runs, RunConfigs); the foreign keys cascade.
            var queued = RunStatus.Queued.ToString();
            var running = RunStatus.Running.ToString();
            var deleted = await context.Database.ExecuteSqlInterpolatedAsync(
                $"DELETE FROM \"Runs\" WHERE \"Id\" = {runId} AND \"Status\" NOT IN ({queued}, {running})", cancellationToken);
            if (deleted == 0) return DeleteResult.StillActive;
            await context.ShareLinks.Where(l => l.TargetKind == ShareTargetKind.Run && l.Target == target).ExecuteDeleteAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        await audit.RecordAsync(user, AuditActions.Delete, $"run {runId}", run.Name, cancellationToken);

        try
        {
            var folder = checkpoints.DirectoryOf(runId);
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The run is gone either way; a folder left behind only costs disk.
            logger.LogWarning(ex, "The checkpoint folder of deleted run {RunId} could not be removed", runId);
        }
        return DeleteResult.Deleted;
    }
}
