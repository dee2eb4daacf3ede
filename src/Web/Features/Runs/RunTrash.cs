using System.Globalization;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Data.Configuration;
using Tracker.Web.Jobs;
using Tracker.Web.Security;

namespace Tracker.Web.Features.Runs;

/// <summary>What <see cref="RunTrash.TrashAsync"/> and <see cref="RunTrash.RestoreAsync"/> did.</summary>
public enum TrashResult
{
    Done,
    /// <summary>No such run (for a restore: none in the trash).</summary>
    NotFound,
    NotYours,
    /// <summary>Queued or running: it must be cancelled first, so no worker writes to a run that is in the trash.</summary>
    StillActive,
}

/// <summary>A run in the trash, as <c>GET /api/trash</c> lists it.</summary>
public sealed record TrashedRun(long Id, string Name, string Project, string? Owner, RunStatus Status, DateTime Created, DateTime Deleted);

/// <summary>What emptying the trash removed; <see cref="DatabaseBytesFreed"/> is what the SQLite file gave back (null on PostgreSQL).</summary>
public sealed record EmptiedTrash(int Runs, long? DatabaseBytesFreed);

/// <summary>
/// The trash (docs/decisions/0058): deleting a run only marks it (<see cref="Run.DeletedAt"/>), which hides it from every
/// query through the model's query filter; its owner or an admin can restore it. Emptying the trash (admins only) deletes
/// the trashed runs for good: their rows, and with them (the schema's cascades) their config, metric points, rollups,
/// summaries, events, job and webhook deliveries; then their share links and run folders (checkpoints, attached files);
/// on SQLite the freed pages go back to the file system (incremental auto-vacuum). Every act goes to the audit log.
/// </summary>
public sealed class RunTrash(IDbContextFactory<TrackerDbContext> contexts, RunCheckpoints checkpoints, AuditLog audit, TimeProvider clock,
    ILogger<RunTrash> logger)
{
    public async Task<TrashResult> TrashAsync(long runId, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var run = await context.Runs.AsNoTracking().Where(r => r.Id == runId).Select(r => new { r.Owner, r.Name }).FirstOrDefaultAsync(cancellationToken);
        if (run is null) return TrashResult.NotFound;
        if (!TrackerClaims.MayChangeRun(user, run.Owner)) return TrashResult.NotYours;
        // The status is checked in the update itself, so a run that was just retried into the queue stays out of the trash.
        var now = clock.GetUtcNow().UtcDateTime;
        var trashed = await context.Runs.Where(r => r.Id == runId && r.Status != RunStatus.Queued && r.Status != RunStatus.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.DeletedAt, now), cancellationToken);
        if (trashed == 0) return TrashResult.StillActive;
        await audit.RecordAsync(user, AuditActions.Delete, $"run {runId}", run.Name, cancellationToken);
        return TrashResult.Done;
    }

    public async Task<TrashResult> RestoreAsync(long runId, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var run = await Trashed(context).Where(r => r.Id == runId).Select(r => new { r.Owner, r.Name }).FirstOrDefaultAsync(cancellationToken);
        if (run is null) return TrashResult.NotFound;
        if (!TrackerClaims.MayChangeRun(user, run.Owner)) return TrashResult.NotYours;
        var restored = await Trashed(context).Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.DeletedAt, (DateTime?)null), cancellationToken);
        // Emptied (or restored) between the read and the update: gone from the trash either way.
        if (restored == 0) return TrashResult.NotFound;
        await audit.RecordAsync(user, AuditActions.Restore, $"run {runId}", run.Name, cancellationToken);
        return TrashResult.Done;
    }

    /// <summary>The run when it is in the trash; null when it is not (or does not exist).</summary>
    public async Task<TrashedRun?> FindAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await Trashed(context).Where(r => r.Id == runId)
            .Select(r => new { r.Id, r.Name, Project = r.Project!.Name, r.Owner, r.Status, r.CreatedAt, r.DeletedAt })
            .FirstOrDefaultAsync(cancellationToken);
        return row is null ? null : new TrashedRun(row.Id, row.Name, row.Project, row.Owner, row.Status, row.CreatedAt, row.DeletedAt!.Value);
    }

    /// <summary>The runs in the trash, last deleted first.</summary>
    public async Task<IReadOnlyList<TrashedRun>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await Trashed(context).OrderByDescending(r => r.DeletedAt).ThenByDescending(r => r.Id)
            .Select(r => new { r.Id, r.Name, Project = r.Project!.Name, r.Owner, r.Status, r.CreatedAt, r.DeletedAt })
            .ToListAsync(cancellationToken);
        return rows.Select(r => new TrashedRun(r.Id, r.Name, r.Project, r.Owner, r.Status, r.CreatedAt, r.DeletedAt!.Value)).ToList();
    }

    /// <summary>Deletes every run in the trash for good; the caller has checked that <paramref name="user"/> is an admin.</summary>
    public async Task<EmptiedTrash> EmptyAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var sqlite = context.Database.IsSqlite();
        var sizeBefore = sqlite ? await SqliteFileBytesAsync(context, cancellationToken) : 0;
        var ids = await Trashed(context).Select(r => r.Id).ToListAsync(cancellationToken);
        if (ids.Count == 0) return new EmptiedTrash(0, sqlite ? 0 : null);

        await using (var transaction = await context.Database.BeginTransactionAsync(cancellationToken))
        {
            // Plain SQL: EF's ExecuteDelete refuses an entity split over two tables (Runs, RunConfigs); the foreign keys
            // cascade to everything that hangs off a run. Only runs still in the trash go: one restored meanwhile stays.
            // The ids are numbers read just above, so writing them into the statement cannot inject anything.
            var idList = string.Join(", ", ids.Select(id => id.ToString(CultureInfo.InvariantCulture)));
#pragma warning disable EF1002 // the statement holds only the numeric ids above
            await context.Database.ExecuteSqlRawAsync($"DELETE FROM \"Runs\" WHERE \"DeletedAt\" IS NOT NULL AND \"Id\" IN ({idList})", cancellationToken);
#pragma warning restore EF1002
            var gone = ids.Except(await context.Runs.IgnoreQueryFilters([RunConfiguration.TrashFilter]).Where(r => ids.Contains(r.Id))
                .Select(r => r.Id).ToListAsync(cancellationToken)).ToList();
            var goneTargets = gone.Select(id => id.ToString(CultureInfo.InvariantCulture)).ToList();
            await context.ShareLinks.Where(l => l.TargetKind == ShareTargetKind.Run && goneTargets.Contains(l.Target)).ExecuteDeleteAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            ids = gone;
        }
        await audit.RecordAsync(user, AuditActions.EmptyTrash, "trash", $"{ids.Count} runs: {string.Join(", ", ids)}", cancellationToken);

        foreach (var runId in ids) RemoveFolder(runId);
        if (!sqlite) return new EmptiedTrash(ids.Count, null);
        // The file was created with auto_vacuum = INCREMENTAL (TrackerDatabase.MigrateAsync): the freed pages are cut off the
        // end of the file, and the checkpoint writes the shortened file out of the write-ahead log.
        await context.Database.ExecuteSqlRawAsync("PRAGMA incremental_vacuum;", cancellationToken);
        await SqliteCheckpointer.TruncateAsync(context, cancellationToken);
        return new EmptiedTrash(ids.Count, Math.Max(0, sizeBefore - await SqliteFileBytesAsync(context, cancellationToken)));
    }

    /// <summary>The runs in the trash, which every other query leaves out.</summary>
    private static IQueryable<Run> Trashed(TrackerDbContext context) =>
        context.Runs.IgnoreQueryFilters([RunConfiguration.TrashFilter]).Where(r => r.DeletedAt != null);

    private static async Task<long> SqliteFileBytesAsync(TrackerDbContext context, CancellationToken cancellationToken)
    {
        var pages = await context.Database.SqlQueryRaw<long>("SELECT page_count AS \"Value\" FROM pragma_page_count()").SingleAsync(cancellationToken);
        var pageSize = await context.Database.SqlQueryRaw<long>("SELECT page_size AS \"Value\" FROM pragma_page_size()").SingleAsync(cancellationToken);
        return pages * pageSize;
    }

    private void RemoveFolder(long runId)
    {
        try
        {
            var folder = checkpoints.DirectoryOf(runId);
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The run is gone either way; a folder left behind only costs disk.
            logger.LogWarning(ex, "The folder of deleted run {RunId} could not be removed", runId);
        }
    }
}
