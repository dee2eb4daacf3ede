using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Tracker.Web.Data;
using Tracker.Web.Jobs;
using Tracker.Web.Security;

namespace Tracker.Web.Features.Runs;

/// <summary>What one act on one run did; the API answers with it, a bulk action lists it per run.</summary>
public enum RunActionOutcome
{
    Done,
    /// <summary>A running run was asked to stop; its worker stops within a step.</summary>
    StopRequested,
    /// <summary>Nothing to change: the run already had (or lacked) the tag.</summary>
    Unchanged,
    NotFound,
    NotYours,
    /// <summary>Queued or running: a delete waits until it is cancelled.</summary>
    StillActive,
    /// <summary>A cancel of a run that has already finished.</summary>
    AlreadyFinished,
    /// <summary>A cancel of a run a script logs: the script finishes it.</summary>
    LoggedByScript,
    /// <summary>The new value is not valid (<see cref="RunActionResult.Problem"/> says why); nothing was stored.</summary>
    Invalid,
}

/// <summary>An outcome and, where it helps (an invalid value, a run already finished), why.</summary>
public sealed record RunActionResult(RunActionOutcome Outcome, string? Problem = null)
{
    public static readonly RunActionResult Done = new(RunActionOutcome.Done);

    /// <summary>The act happened (or found nothing to change).</summary>
    public bool Succeeded => Outcome is RunActionOutcome.Done or RunActionOutcome.StopRequested or RunActionOutcome.Unchanged;
}

/// <summary>
/// The acts on one run after it was submitted (rename, archive, cancel, tag, delete, restore), each checking the caller
/// may change the run (<see cref="TrackerClaims.MayChangeRun"/>) and recording itself in the audit log. The one place for
/// them: the API's per-run endpoints, its bulk endpoint (<see cref="RunBulkActions"/>) and the run page all call these.
/// </summary>
public sealed class RunActions(IDbContextFactory<TrackerDbContext> contexts, JobLeases leases, RunTrash trash, AuditLog audit, TimeProvider clock)
{
    public async Task<RunActionResult> RenameAsync(long runId, string? name, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (RunAnnotations.ValidateName(name) is { } problem) return new RunActionResult(RunActionOutcome.Invalid, problem);
        return await ChangeAsync(runId, user, async context =>
        {
            if (!await RunAnnotations.RenameAsync(context, runId, name!, cancellationToken)) return new RunActionResult(RunActionOutcome.NotFound);
            await audit.RecordAsync(user, AuditActions.Rename, $"run {runId}", name!.Trim(), cancellationToken);
            return RunActionResult.Done;
        }, cancellationToken);
    }

    public Task<RunActionResult> SetArchivedAsync(long runId, bool archived, ClaimsPrincipal user, CancellationToken cancellationToken = default) =>
        ChangeAsync(runId, user, async context =>
        {
            if (!await RunAnnotations.SetArchivedAsync(context, runId, archived, clock.GetUtcNow().UtcDateTime, cancellationToken))
                return new RunActionResult(RunActionOutcome.NotFound);
            await audit.RecordAsync(user, archived ? AuditActions.Archive : AuditActions.Unarchive, $"run {runId}", null, cancellationToken);
            return RunActionResult.Done;
        }, cancellationToken);

    public Task<RunActionResult> CancelAsync(long runId, ClaimsPrincipal user, CancellationToken cancellationToken = default) =>
        ChangeAsync(runId, user, async context =>
        {
            var outcome = await leases.CancelAsync(runId, cancellationToken);
            if (outcome is CancelResult.Cancelled or CancelResult.CancelRequested)
                await audit.RecordAsync(user, AuditActions.Cancel, $"run {runId}", null, cancellationToken);
            return outcome switch
            {
                CancelResult.Cancelled => RunActionResult.Done,
                CancelResult.CancelRequested => new RunActionResult(RunActionOutcome.StopRequested),
                // No job to cancel: finished, or a run a script logs (running without a job), or imported.
                _ => await RunQueries.StatusAsync(context, runId, cancellationToken) is { } status
                    ? status.IsActive()
                        ? new RunActionResult(RunActionOutcome.LoggedByScript)
                        : new RunActionResult(RunActionOutcome.AlreadyFinished, $"Run {runId} is {status}; only queued or running runs can be cancelled.")
                    : new RunActionResult(RunActionOutcome.NotFound),
            };
        }, cancellationToken);

    public async Task<RunActionResult> TagAsync(long runId, string? tag, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        // The tag's own rules first (against no existing tags), so a bad tag is refused before any run is read.
        if (RunAnnotations.ValidateTag(tag, []) is { } problem) return new RunActionResult(RunActionOutcome.Invalid, problem);
        return await ChangeAsync(runId, user, async context =>
        {
            var trimmed = tag!.Trim();
            var before = await context.Runs.AsNoTracking().Where(r => r.Id == runId).Select(r => r.Tags).FirstOrDefaultAsync(cancellationToken);
            if (before is null) return new RunActionResult(RunActionOutcome.NotFound);
            if (before.Contains(trimmed)) return new RunActionResult(RunActionOutcome.Unchanged);
            var result = await RunAnnotations.AddTagAsync(context, runId, trimmed, cancellationToken);
            if (!result.Found) return new RunActionResult(RunActionOutcome.NotFound);
            // The run's own limit (too many tags) is the one problem left.
            if (result.Error is not null) return new RunActionResult(RunActionOutcome.Invalid, result.Error);
            await audit.RecordAsync(user, AuditActions.Tag, $"run {runId}", trimmed, cancellationToken);
            return RunActionResult.Done;
        }, cancellationToken);
    }

    public async Task<RunActionResult> UntagAsync(long runId, string? tag, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(tag)) return new RunActionResult(RunActionOutcome.Invalid, "Name the tag to remove.");
        var trimmed = tag.Trim();
        return await ChangeAsync(runId, user, async context =>
        {
            var before = await context.Runs.AsNoTracking().Where(r => r.Id == runId).Select(r => r.Tags).FirstOrDefaultAsync(cancellationToken);
            if (before is null) return new RunActionResult(RunActionOutcome.NotFound);
            if (!before.Contains(trimmed)) return new RunActionResult(RunActionOutcome.Unchanged);
            if (!(await RunAnnotations.RemoveTagAsync(context, runId, trimmed, cancellationToken)).Found) return new RunActionResult(RunActionOutcome.NotFound);
            await audit.RecordAsync(user, AuditActions.Untag, $"run {runId}", trimmed, cancellationToken);
            return RunActionResult.Done;
        }, cancellationToken);
    }

    /// <summary>Moves a finished run to the trash (<see cref="RunTrash"/>, which checks and audits).</summary>
    public async Task<RunActionResult> DeleteAsync(long runId, ClaimsPrincipal user, CancellationToken cancellationToken = default) =>
        new(await trash.TrashAsync(runId, user, cancellationToken) switch
        {
            TrashResult.Done => RunActionOutcome.Done,
            TrashResult.NotYours => RunActionOutcome.NotYours,
            TrashResult.StillActive => RunActionOutcome.StillActive,
            _ => RunActionOutcome.NotFound,
        });

    /// <summary>Brings a run back from the trash; <see cref="RunActionOutcome.NotFound"/> when it is not there.</summary>
    public async Task<RunActionResult> RestoreAsync(long runId, ClaimsPrincipal user, CancellationToken cancellationToken = default) =>
        new(await trash.RestoreAsync(runId, user, cancellationToken) switch
        {
            TrashResult.Done => RunActionOutcome.Done,
            TrashResult.NotYours => RunActionOutcome.NotYours,
            _ => RunActionOutcome.NotFound,
        });

    /// <summary>Runs <paramref name="change"/> when the run exists (outside the trash) and <paramref name="user"/> may change it.</summary>
    private async Task<RunActionResult> ChangeAsync(long runId, ClaimsPrincipal user, Func<TrackerDbContext, Task<RunActionResult>> change,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        if (await RunQueries.OwnerAsync(context, runId, cancellationToken) is not { } run) return new RunActionResult(RunActionOutcome.NotFound);
        if (!TrackerClaims.MayChangeRun(user, run.Owner)) return new RunActionResult(RunActionOutcome.NotYours);
        return await change(context);
    }
}
