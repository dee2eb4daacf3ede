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

/// <summary>A field error of the config at <paramref name="Index"/> of a sweep (-1: the sweep as a whole).</summary>
public sealed record SweepFieldError(int Index, FieldError Error);

/// <summary>What <see cref="RunQueue.SubmitSweepAsync"/> did: the sweep and its run ids in config order, or why nothing was stored.</summary>
public sealed record SweepSubmitResult(string? SweepId, IReadOnlyList<long> RunIds, IReadOnlyList<SweepFieldError> Errors)
{
    public bool Succeeded => Errors.Count == 0;
}

/// <summary>A job of the queue as the queue page shows it; <see cref="Running"/> when a worker holds its lease.</summary>
public sealed record QueueEntry(
    long RunId, string Name, string Project, string Method, string Model, RunStatus Status, bool Running, int Priority, int Attempts,
    string? LeaseOwner, DateTime? HeartbeatAt, DateTime EnqueuedAt, double Progress, int EpochsCompleted, int Epochs);

/// <summary>Where <see cref="RunQueue.MoveAsync"/> moves a queued job.</summary>
public enum QueueMove
{
    Up,
    Down,
    Top,
    Bottom,
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
public sealed class RunQueue(IDbContextFactory<TrackerDbContext> contexts, IOptions<JobsOptions> options, TimeProvider time,
    DatasetRoots? datasetRoots = null)
{
    private readonly ConcurrentDictionary<long, CancellationTokenSource> _runningHere = new();

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    private TimeSpan Lease => TimeSpan.FromSeconds(options.Value.LeaseSeconds);

    /// <summary>Validates <paramref name="config"/>; when valid, stores a queued run and its job together.</summary>
    public async Task<SubmitResult> SubmitAsync(RunConfig config, int priority = 0, string? owner = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        var result = await SubmitSweepAsync([config], sweepId: null, priority, owner, cancellationToken);
        return new SubmitResult(result.RunIds.Count == 1 ? result.RunIds[0] : null, result.Errors.Select(e => e.Error).ToList());
    }

    /// <summary>
    /// Queues every config as one sweep, or none: when any config is invalid nothing is stored and the errors say
    /// which config (by index) is wrong. A null <paramref name="sweepId"/> with one config queues a plain run;
    /// otherwise a new sweep id is made when none is given.
    /// </summary>
    public async Task<SweepSubmitResult> SubmitSweepAsync(IReadOnlyList<RunConfig> configs, string? sweepId = null, int priority = 0,
        string? owner = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configs);
        var errors = configs.SelectMany((config, index) => RunConfigValidator.Validate(config).Select(error => new SweepFieldError(index, error))).ToList();
        if (datasetRoots is not null)
            errors.AddRange(configs.Select((config, index) => (Error: datasetRoots.Check(config), Index: index))
                .Where(e => e.Error is not null).Select(e => new SweepFieldError(e.Index, e.Error!)));
        if (configs.Count == 0) errors.Add(new SweepFieldError(-1, new FieldError("configs", "A sweep needs at least one run.")));
        if (errors.Count > 0) return new SweepSubmitResult(null, [], errors);
        if (configs.Count > 1) sweepId ??= NewSweepId();

        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var parentErrors = await FineTuneParents.CheckAsync(context, configs, cancellationToken);
        if (parentErrors.Count > 0) return new SweepSubmitResult(null, [], parentErrors);
        var now = Now;
        var projects = new Dictionary<string, Project>(StringComparer.Ordinal);
        var runs = new List<Run>(configs.Count);
        foreach (var config in configs)
        {
            if (!projects.TryGetValue(config.Project, out var project))
            {
                var projectId = await Projects.GetOrCreateAsync(contexts, config.Project, now, cancellationToken);
                projects[config.Project] = project = await context.Projects.FirstAsync(p => p.Id == projectId, cancellationToken);
            }
            var run = Run.FromConfig(config, project, now);
            run.Owner = owner;
            run.SweepId = sweepId;
            context.Runs.Add(run);
            context.Jobs.Add(new Job { Run = run, Priority = priority, State = JobState.Queued, EnqueuedAt = now });
            runs.Add(run);
        }
        // One SaveChanges is one transaction: no run is stored without its job, and a sweep is stored whole or not at all.
        await context.SaveChangesAsync(cancellationToken);
        return new SweepSubmitResult(sweepId, runs.Select(r => r.Id).ToList(), []);
    }

    /// <summary>The order workers take jobs in: highest priority first, then the oldest; the id breaks ties.</summary>
    private static IOrderedQueryable<Job> InClaimOrder(IQueryable<Job> jobs) =>
        jobs.OrderByDescending(j => j.Priority).ThenBy(j => j.EnqueuedAt).ThenBy(j => j.Id);

    /// <summary>A short random id, safe in a URL (<c>/sweeps/{id}</c>).</summary>
    private static string NewSweepId() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));

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
    /// The jobs not yet finished, in the order workers take them: running ones first, then the queued ones by
    /// priority (highest first) and age, which is the order <see cref="ClaimNextAsync"/> claims them in.
    /// </summary>
    public async Task<IReadOnlyList<QueueEntry>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await InClaimOrder(context.Jobs.AsNoTracking().Where(j => j.State != JobState.Finished))
            .Select(j => new
            {
                j.RunId, j.Run!.Name, Project = j.Run.Project!.Name, j.Run.Method, j.Run.Model, j.Run.Status, j.State, j.Priority,
                j.Attempts, j.LeaseOwner, j.HeartbeatAt, j.EnqueuedAt, j.Run.Progress, j.Run.EpochsCompleted, j.Run.Epochs,
            })
            .ToListAsync(cancellationToken);
        // Running first; OrderBy is stable, so both parts keep the claim order.
        return rows.OrderBy(r => r.State == JobState.Leased ? 0 : 1).Select(r => new QueueEntry(
            r.RunId, r.Name, r.Project, r.Method, r.Model, r.Status, r.State == JobState.Leased, r.Priority, r.Attempts,
            r.LeaseOwner, r.HeartbeatAt, r.EnqueuedAt, r.Progress, r.EpochsCompleted, r.Epochs)).ToList();
    }

    /// <summary>
    /// Moves a queued job within the queued ones. Reordering rewrites the queued jobs' priorities to their new
    /// positions (the first gets the highest), so the claim order is exactly the order shown. False when the
    /// run has no queued job.
    /// </summary>
    public async Task<bool> MoveAsync(long runId, QueueMove move, CancellationToken cancellationToken = default)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken);
        var queued = await InClaimOrder(context.Jobs.Where(j => j.State == JobState.Queued)).ToListAsync(cancellationToken);
        var index = queued.FindIndex(j => j.RunId == runId);
        if (index < 0) return false;
        var job = queued[index];
        queued.RemoveAt(index);
        var target = move switch
        {
            QueueMove.Up => Math.Max(0, index - 1),
            QueueMove.Down => Math.Min(queued.Count, index + 1),
            QueueMove.Top => 0,
            QueueMove.Bottom => queued.Count,
            _ => throw new ArgumentOutOfRangeException(nameof(move), move, null),
        };
        queued.Insert(target, job);
        for (var position = 0; position < queued.Count; position++) queued[position].Priority = queued.Count - position;
        await context.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
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
            var candidate = await InClaimOrder(context.Jobs.Where(j => j.State == JobState.Queued))
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
            // Only a still-queued run turns running: a cancel that landed between the two updates keeps it cancelled,
            // and the worker's first heartbeat stops it.
            await context.Runs.Where(r => r.Id == job.RunId && r.Status == RunStatus.Queued)
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
        // A leased job's run is running, or still queued for the moment between the two updates of a claim.
        await context.Runs.Where(r => r.Id == runId && (r.Status == RunStatus.Running || r.Status == RunStatus.Queued))
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
        run.Progress = run.Status == RunStatus.Succeeded ? 1 : Math.Clamp((double)summary.EpochsCompleted / run.Epochs, 0, 1);
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
