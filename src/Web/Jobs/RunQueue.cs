using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tracker.Shared;
using Tracker.Web.Data;

namespace Tracker.Web.Jobs;

/// <summary>What <see cref="RunQueue.SubmitAsync"/> did: the new run's id, or why nothing was stored.</summary>
public sealed record SubmitResult(long? RunId, IReadOnlyList<FieldError> Errors)
{
    public bool Succeeded => RunId is not null;
}

/// <summary>A job a worker holds the lease of.</summary>
public sealed record ClaimedJob(long RunId, RunConfig Config, int Attempts);

public enum HeartbeatResult
{
    Continue,
    CancelRequested,
    /// <summary>The lease lapsed and was requeued (or taken by another worker): stop without finishing the run.</summary>
    LeaseLost,
}

public enum CancelResult
{
    NotFound,
    /// <summary>Queued: it left the queue and the run is cancelled.</summary>
    Cancelled,
    /// <summary>Running: its worker stops within a step.</summary>
    CancelRequested,
    AlreadyFinished,
}

/// <summary>
/// The durable queue: jobs live in the database, so a restart loses none. A worker claims a job with a lease that
/// its heartbeats extend; a lease that lapses puts the job back in the queue. A cancel request on a running job is
/// the run's status set to cancelled while the job is still leased: every process sees it at its next heartbeat,
/// and workers of this process are told at once.
/// </summary>
public sealed class RunQueue(IDbContextFactory<TrackerDbContext> contexts, IOptions<JobsOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<long, CancellationTokenSource> _runningHere = new();

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    private TimeSpan Lease => TimeSpan.FromSeconds(options.Value.LeaseSeconds);

    /// <summary>Validates <paramref name="config"/>; when valid, stores a queued run and its job together.</summary>
    public async Task<SubmitResult> SubmitAsync(RunConfig config, int priority = 0, string? owner = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        var errors = RunConfigValidator.Validate(config);
        if (errors.Count > 0) return new SubmitResult(null, errors);

        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var now = Now;
        var project = await context.Projects.FirstOrDefaultAsync(p => p.Name == config.Project, cancellationToken)
            ?? new Project { Name = config.Project, CreatedAt = now };
        var run = Run.FromConfig(config, project, now);
        run.Owner = owner;
        context.Runs.Add(run);
        context.Jobs.Add(new Job { Run = run, Priority = priority, State = JobState.Queued, EnqueuedAt = now });
        // One SaveChanges is one transaction: the run is never stored without its job.
        await context.SaveChangesAsync(cancellationToken);
        return new SubmitResult(run.Id, []);
    }

    /// <summary>A new queued run of <paramref name="runId"/>'s config changed by <paramref name="edit"/>.</summary>
    public async Task<SubmitResult> CloneAsync(long runId, Func<RunConfig, RunConfig> edit, int? priority = null, string? owner = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(edit);
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var source = await context.Runs.AsNoTracking().Where(r => r.Id == runId)
            .Select(r => new { r.Config, r.Owner }).FirstOrDefaultAsync(cancellationToken);
        if (source is null) return new SubmitResult(null, [new FieldError("runId", $"There is no run {runId}.")]);
        var sourcePriority = await context.Jobs.Where(j => j.RunId == runId).Select(j => (int?)j.Priority).FirstOrDefaultAsync(cancellationToken);
        return await SubmitAsync(edit(source.Config), priority ?? sourcePriority ?? 0, owner ?? source.Owner, cancellationToken);
    }

    /// <summary>Runs a failed, cancelled or diverged run's config again, as a new run.</summary>
    public async Task<SubmitResult> RetryAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using (var context = await contexts.CreateDbContextAsync(cancellationToken))
        {
            var status = await context.Runs.Where(r => r.Id == runId).Select(r => (RunStatus?)r.Status).FirstOrDefaultAsync(cancellationToken);
            if (status is null) return new SubmitResult(null, [new FieldError("runId", $"There is no run {runId}.")]);
            if (status is not (RunStatus.Failed or RunStatus.Cancelled or RunStatus.Diverged))
                return new SubmitResult(null, [new FieldError("runId", $"Run {runId} is {status}; only failed, cancelled or diverged runs are retried.")]);
        }
        return await CloneAsync(runId, config => config, cancellationToken: cancellationToken);
    }

    /// <summary>Moves a queued job up or down the queue. False when it is no longer queued.</summary>
    public async Task<bool> SetPriorityAsync(long runId, int priority, CancellationToken cancellationToken = default)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        return await context.Jobs.Where(j => j.RunId == runId && j.State == JobState.Queued)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Priority, priority), cancellationToken) == 1;
    }

    /// <summary>
    /// Claims the queued job with the highest priority, oldest first. The claim is a conditional UPDATE of a queued
    /// row, so of two workers racing for one job exactly one changes it; the other looks again.
    /// </summary>
    public async Task<ClaimedJob?> ClaimNextAsync(string workerId, CancellationToken cancellationToken = default)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        while (true)
        {
            var candidate = await context.Jobs.Where(j => j.State == JobState.Queued)
                .OrderByDescending(j => j.Priority).ThenBy(j => j.EnqueuedAt).ThenBy(j => j.Id)
                .Select(j => (long?)j.Id).FirstOrDefaultAsync(cancellationToken);
            if (candidate is null) return null;

            var now = Now;
            var expires = now + Lease;
            var claimed = await context.Jobs.Where(j => j.Id == candidate && j.State == JobState.Queued)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(j => j.State, JobState.Leased)
                    .SetProperty(j => j.LeaseOwner, workerId)
                    .SetProperty(j => j.LeaseExpiresAt, expires)
                    .SetProperty(j => j.HeartbeatAt, now)
                    .SetProperty(j => j.Attempts, j => j.Attempts + 1), cancellationToken);
            if (claimed == 0) continue;

            var job = await context.Jobs.AsNoTracking().Where(j => j.Id == candidate)
                .Select(j => new { j.RunId, j.Attempts, j.Run!.Config }).FirstAsync(cancellationToken);
            await context.Runs.Where(r => r.Id == job.RunId)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(r => r.Status, RunStatus.Running)
                    .SetProperty(r => r.StartedAt, r => r.StartedAt ?? now), cancellationToken);
            return new ClaimedJob(job.RunId, job.Config, job.Attempts);
        }
    }

    /// <summary>Extends the lease of <paramref name="workerId"/> on the run's job and says whether to go on.</summary>
    public async Task<HeartbeatResult> HeartbeatAsync(long runId, string workerId, CancellationToken cancellationToken = default)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var now = Now;
        var expires = now + Lease;
        var renewed = await context.Jobs.Where(j => j.RunId == runId && j.State == JobState.Leased && j.LeaseOwner == workerId)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseExpiresAt, expires).SetProperty(j => j.HeartbeatAt, now), cancellationToken);
        if (renewed == 0) return HeartbeatResult.LeaseLost;
        var status = await context.Runs.Where(r => r.Id == runId).Select(r => r.Status).FirstAsync(cancellationToken);
        return status == RunStatus.Cancelled ? HeartbeatResult.CancelRequested : HeartbeatResult.Continue;
    }

    /// <summary>A queued run leaves the queue, cancelled; a running one is asked to stop.</summary>
    public async Task<CancelResult> CancelAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var now = Now;
        var dequeued = await context.Jobs.Where(j => j.RunId == runId && j.State == JobState.Queued)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.State, JobState.Finished), cancellationToken);
        if (dequeued == 1)
        {
            await context.Runs.Where(r => r.Id == runId)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Cancelled).SetProperty(r => r.FinishedAt, now), cancellationToken);
            return CancelResult.Cancelled;
        }

        var state = await context.Jobs.Where(j => j.RunId == runId).Select(j => (JobState?)j.State).FirstOrDefaultAsync(cancellationToken);
        if (state is null) return CancelResult.NotFound;
        if (state != JobState.Leased) return CancelResult.AlreadyFinished;
        await context.Runs.Where(r => r.Id == runId && r.Status == RunStatus.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Cancelled), cancellationToken);
        if (_runningHere.TryGetValue(runId, out var running)) await running.CancelAsync();
        return CancelResult.CancelRequested;
    }

    /// <summary>Lets <see cref="CancelAsync"/> stop a run this process trains without waiting for a heartbeat.</summary>
    public IDisposable TrackRunningHere(long runId, CancellationTokenSource cancellation)
    {
        _runningHere[runId] = cancellation;
        return new Untrack(() => _runningHere.TryRemove(new KeyValuePair<long, CancellationTokenSource>(runId, cancellation)));
    }

    /// <summary>Ends the job for good and records how the run ended; a cancel request turns any outcome into cancelled.</summary>
    public async Task CompleteAsync(long runId, string workerId, RunFinishedEvent finished, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(finished);
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken);
        var job = await context.Jobs.Include(j => j.Run).FirstAsync(j => j.RunId == runId, cancellationToken);
        if (job.State != JobState.Leased || job.LeaseOwner != workerId) return; // requeued meanwhile: the new holder finishes it
        var run = job.Run!;
        var summary = finished.Summary;
        job.State = JobState.Finished;
        job.LeaseOwner = null;
        job.LeaseExpiresAt = null;
        run.Status = run.Status == RunStatus.Cancelled ? RunStatus.Cancelled : finished.Status switch
        {
            RunOutcome.Succeeded => RunStatus.Succeeded,
            RunOutcome.Cancelled => RunStatus.Cancelled,
            RunOutcome.Diverged => RunStatus.Diverged,
            _ => RunStatus.Failed,
        };
        run.FinishedAt = Now;
        run.EpochsCompleted = summary.EpochsCompleted;
        run.Progress = run.Status == RunStatus.Succeeded ? 1 : Math.Clamp((double)summary.EpochsCompleted / run.Config.Epochs, 0, 1);
        run.Error = summary.Error ?? (run.Status == RunStatus.Diverged ? summary.Message : null);
        await context.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Gives a job back to the queue without finishing it (host shutdown): the next claim resumes it.</summary>
    public async Task ReleaseAsync(long runId, string workerId, CancellationToken cancellationToken = default)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var released = await context.Jobs.Where(j => j.RunId == runId && j.State == JobState.Leased && j.LeaseOwner == workerId)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.State, JobState.Queued).SetProperty(j => j.LeaseOwner, (string?)null)
                .SetProperty(j => j.LeaseExpiresAt, (DateTime?)null), cancellationToken);
        if (released == 1)
            await context.Runs.Where(r => r.Id == runId && r.Status == RunStatus.Running)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Queued), cancellationToken);
    }

    /// <summary>
    /// Jobs whose worker stopped heartbeating go back to the queue, their runs to queued; one whose cancel was
    /// requested is finished as cancelled instead. Returns how many jobs were requeued.
    /// </summary>
    public async Task<int> RequeueExpiredLeasesAsync(CancellationToken cancellationToken = default)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var now = Now;
        var expired = await context.Jobs.Include(j => j.Run)
            .Where(j => j.State == JobState.Leased && j.LeaseExpiresAt < now).ToListAsync(cancellationToken);
        var requeued = 0;
        foreach (var job in expired)
        {
            job.LeaseOwner = null;
            job.LeaseExpiresAt = null;
            if (job.Run!.Status == RunStatus.Cancelled)
            {
                job.State = JobState.Finished;
                job.Run.FinishedAt = now;
                continue;
            }
            job.State = JobState.Queued;
            job.Run.Status = RunStatus.Queued;
            requeued++;
        }
        await context.SaveChangesAsync(cancellationToken);
        return requeued;
    }

    private sealed class Untrack(Action untrack) : IDisposable
    {
        public void Dispose() => untrack();
    }
}
