using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tracker.Shared;
using Tracker.Web.Data;

namespace Tracker.Web.Jobs;

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
/// The lease protocol between the queue and the workers: a worker claims a job with a lease that its heartbeats
/// extend; a lease that lapses puts the job back in the queue. A cancel request on a running job is the run's status
/// set to cancelled while the job is still leased: every process sees it at its next heartbeat, and workers of this
/// process are told at once.
/// </summary>
public sealed class JobLeases(IDbContextFactory<TrackerDbContext> contexts, IOptions<JobsOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<long, CancellationTokenSource> _runningHere = new();

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    private TimeSpan Lease => TimeSpan.FromSeconds(options.Value.LeaseSeconds);

    /// <summary>
    /// Claims the queued job with the highest priority, oldest first. The claim is a conditional UPDATE of a queued
    /// row, so of two workers racing for one job exactly one changes it; the other looks again.
    /// </summary>
    public async Task<ClaimedJob?> ClaimNextAsync(string workerId, CancellationToken cancellationToken = default)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        while (true)
        {
            var candidate = await QueueOrder.InClaimOrder(context.Jobs.Where(j => j.State == JobState.Queued))
                .Select(j => (long?)j.Id).FirstOrDefaultAsync(cancellationToken);
            if (candidate is null) return null;
            if (await ClaimJobAsync(context, candidate.Value, workerId, cancellationToken) is { } job) return job;
        }
    }

    /// <summary>
    /// The first <paramref name="count"/> queued runs in claim order, with the share of a GPU each asks for: what
    /// <see cref="GpuScheduler"/> chooses from.
    /// </summary>
    public async Task<IReadOnlyList<WaitingRun>> QueuedRunsAsync(int count, CancellationToken cancellationToken = default)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var queued = await QueueOrder.InClaimOrder(context.Jobs.AsNoTracking().Where(j => j.State == JobState.Queued))
            .Take(count).Select(j => new { j.RunId, j.Run!.Config }).ToListAsync(cancellationToken);
        return queued.Select(j => new WaitingRun(j.RunId, j.Config.Resources.ShareFor(j.Config.Model))).ToList();
    }

    /// <summary>Claims the run's job if it is still queued (null when another worker took it, or it was cancelled, meanwhile).</summary>
    public async Task<ClaimedJob?> ClaimRunAsync(long runId, string workerId, CancellationToken cancellationToken = default)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var jobId = await context.Jobs.Where(j => j.RunId == runId && j.State == JobState.Queued).Select(j => (long?)j.Id).FirstOrDefaultAsync(cancellationToken);
        return jobId is null ? null : await ClaimJobAsync(context, jobId.Value, workerId, cancellationToken);
    }

    private async Task<ClaimedJob?> ClaimJobAsync(TrackerDbContext context, long jobId, string workerId, CancellationToken cancellationToken)
    {
        var now = Now;
        var expires = now + Lease;
        var claimed = await context.Jobs.Where(j => j.Id == jobId && j.State == JobState.Queued)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.State, JobState.Leased)
                .SetProperty(j => j.LeaseOwner, workerId)
                .SetProperty(j => j.LeaseExpiresAt, expires)
                .SetProperty(j => j.HeartbeatAt, now)
                .SetProperty(j => j.Attempts, j => j.Attempts + 1), cancellationToken);
        if (claimed == 0) return null;

        var job = await context.Jobs.AsNoTracking().Where(j => j.Id == jobId)
            .Select(j => new { j.RunId, j.Attempts, j.Run!.Config }).FirstAsync(cancellationToken);
        // Only a still-queued run turns running: a cancel that landed between the two updates keeps it cancelled,
        // and the worker's first heartbeat stops it.
        await context.Runs.Where(r => r.Id == job.RunId && r.Status == RunStatus.Queued)
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, RunStatus.Running)
                .SetProperty(r => r.StartedAt, r => r.StartedAt ?? now), cancellationToken);
        return new ClaimedJob(job.RunId, job.Config, job.Attempts);
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

    /// <summary>
    /// Ends the job for good and records how the run ended, together with its finished event (the run's next
    /// sequence number) in one transaction; a cancel request turns any outcome into cancelled. Returns the recorded
    /// event, to announce now that it is stored, or null when the lease was lost meanwhile (the new holder finishes).
    /// Call it only once every other event of the run is stored: a run is never recorded finished with a hole.
    /// </summary>
    public async Task<RunFinishedEvent?> CompleteAsync(long runId, string workerId, RunFinishedEvent finished, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(finished);
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken);
        var job = await context.Jobs.Include(j => j.Run).FirstAsync(j => j.RunId == runId, cancellationToken);
        if (job.State != JobState.Leased || job.LeaseOwner != workerId) return null; // requeued meanwhile: the new holder finishes it
        var run = job.Run!;
        // The trainer numbered it after its last event, which is stored; the worker's own (a run that could not start) gets the next number.
        var recorded = finished with { Seq = run.StoredSeq + 1 };
        await RunEventStore.StoreInTransactionAsync(context, runId, [recorded], cancellationToken);
        var summary = finished.Summary;
        job.State = JobState.Finished;
        job.LeaseOwner = null;
        job.LeaseExpiresAt = null;
        run.Status = RunStatuses.FromOutcome(finished.Status, run.Status);
        run.FinishedAt = Now;
        run.EpochsCompleted = summary.EpochsCompleted;
        run.Progress = RunStatuses.Progress(summary.EpochsCompleted, run.Epochs, run.Status);
        run.Error = summary.Error ?? (run.Status == RunStatus.Diverged ? summary.Message : null);
        run.StoredSeq = recorded.Seq; // the store moved it with SQL; the tracked entity must not write the old value back
        await context.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return recorded;
    }

    /// <summary>
    /// Gives a job back to the queue without finishing it (host shutdown, or a run paused because its events could not
    /// be stored): the next claim resumes it from its last checkpoint whose events are all stored. A pause keeps its
    /// <paramref name="reason"/> as the run's error until the run ends; false when the lease was no longer this worker's.
    /// </summary>
    public async Task<bool> ReleaseAsync(long runId, string workerId, string? reason = null, CancellationToken cancellationToken = default)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken);
        var released = await context.Jobs.Where(j => j.RunId == runId && j.State == JobState.Leased && j.LeaseOwner == workerId)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.State, JobState.Queued).SetProperty(j => j.LeaseOwner, (string?)null)
                .SetProperty(j => j.LeaseExpiresAt, (DateTime?)null), cancellationToken);
        if (released == 1)
        {
            await context.Runs.Where(r => r.Id == runId && r.Status == RunStatus.Running)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Queued), cancellationToken);
            if (reason is not null)
                await context.Runs.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.Error, reason), cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return released == 1;
    }

    /// <summary>
    /// At start: the leases this instance's previous process held go back to the queue at once, since that process
    /// is gone and nobody will renew them; leases of other instances, or of this instance's live processes, wait
    /// for their expiry as before. Returns how many were requeued.
    /// </summary>
    public async Task<int> RequeueLeasesOfDeadProcessesAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var prefix = LeaseOwners.InstancePrefix(instanceId);
        var candidates = await context.Jobs.Include(j => j.Run)
            .Where(j => j.State == JobState.Leased && j.LeaseOwner != null && j.LeaseOwner.StartsWith(prefix)).ToListAsync(cancellationToken);
        var requeued = 0;
        foreach (var job in candidates.Where(j => LeaseOwners.IsOfDeadProcess(j.LeaseOwner!, instanceId)))
        {
            Requeue(job, Now);
            if (job.State == JobState.Queued) requeued++;
        }
        await context.SaveChangesAsync(cancellationToken);
        return requeued;
    }

    /// <summary>A job nobody renews: back to the queue, or finished as cancelled when that was asked.</summary>
    private static void Requeue(Job job, DateTime now)
    {
        job.LeaseOwner = null;
        job.LeaseExpiresAt = null;
        if (job.Run!.Status == RunStatus.Cancelled)
        {
            job.State = JobState.Finished;
            job.Run.FinishedAt = now;
            return;
        }
        job.State = JobState.Queued;
        job.Run.Status = RunStatus.Queued;
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
            Requeue(job, now);
            if (job.State == JobState.Queued) requeued++;
        }
        await context.SaveChangesAsync(cancellationToken);
        return requeued;
    }

    private sealed class Untrack(Action untrack) : IDisposable
    {
        public void Dispose() => untrack();
    }
}
