using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Jobs;
using Tracker.Web.Realtime;

namespace Tracker.Web.Features.Workers;

/// <summary>What a worker call found: the worker, or why the caller may not speak for it.</summary>
public enum WorkerAccess
{
    Allowed,
    NoSuchWorker,
    /// <summary>Another user's worker token registered it.</summary>
    NotYours,
}

/// <summary>What a run-scoped worker call found.</summary>
public enum HeldRun
{
    Held,
    NoSuchRun,
    /// <summary>The run's job is not leased to this worker (never was, requeued after its lease lapsed, or finished).</summary>
    NotHeld,
}

/// <summary>One run a worker holds, as the admin list shows it.</summary>
public sealed record WorkerRun(long RunId, string Name, RunStatus Status, int Attempt, int EpochsCompleted, int Epochs,
    DateTime? HeartbeatAt, DateTime? LeaseExpiresAt);

/// <summary>A worker as the admin list (and the coming /workers page) shows it.</summary>
/// <param name="Online">Heard from within three heartbeat intervals.</param>
public sealed record WorkerSummary(long Id, string Name, string Host, IReadOnlyList<string> Devices, int Slots, int SlotsInUse,
    WorkerState State, bool Online, string? Version, string? Owner, DateTime RegisteredAt, DateTime LastHeartbeatAt, IReadOnlyList<WorkerRun> Runs);

/// <summary>
/// The server's side of remote workers (<c>tracker-worker</c>, decision 0065): their registry (the Workers table) and
/// the queue operations they call over HTTP. A remote worker's lease owner is "worker:{id}", so the lease protocol is
/// the local worker's (<see cref="JobLeases"/>) unchanged, and its events take the local worker's path into the
/// database: <see cref="RunEventStore"/> stores and acknowledges, then <see cref="RunEventFeed"/> announces.
/// </summary>
public sealed partial class RemoteWorkers(
    IDbContextFactory<TrackerDbContext> contexts,
    JobLeases leases,
    RunEventStore store,
    RunEventFeed feed,
    MetricWriter writer,
    RunCheckpoints checkpoints,
    IOptions<JobsOptions> options,
    TimeProvider time)
{
    public const int MaxDevices = 64;
    public const int MaxSlots = 256;

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    public JobsOptions Jobs => options.Value;

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,64}$")]
    public static partial Regex NamePattern();

    /// <summary>Registers a worker, or updates the one of that name (a restart); null when another user's worker has the name.</summary>
    public async Task<Worker?> RegisterAsync(string name, string host, IReadOnlyList<string> devices, int slots, string? version, long userId,
        CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var worker = await context.Workers.FirstOrDefaultAsync(w => w.Name == name, cancellationToken);
        if (worker is not null && worker.OwnerUserId != userId) return null;
        var now = Now;
        if (worker is null)
        {
            // A disabled worker stays disabled when it comes back; a new one starts active.
            worker = new Worker { Name = name, State = WorkerState.Active, OwnerUserId = userId, RegisteredAt = now };
            context.Workers.Add(worker);
        }
        worker.Host = host;
        worker.Devices = [.. devices];
        worker.Slots = slots;
        worker.Version = version;
        worker.LastHeartbeatAt = now;
        await context.SaveChangesAsync(cancellationToken);
        return worker;
    }

    /// <summary>Finds the worker and checks that <paramref name="userId"/>'s token may speak for it.</summary>
    public async Task<(WorkerAccess Access, Worker? Worker)> FindAsync(long workerId, long? userId, CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var worker = await context.Workers.AsNoTracking().FirstOrDefaultAsync(w => w.Id == workerId, cancellationToken);
        if (worker is null) return (WorkerAccess.NoSuchWorker, null);
        return worker.OwnerUserId == userId ? (WorkerAccess.Allowed, worker) : (WorkerAccess.NotYours, worker);
    }

    public async Task<WorkerState> HeartbeatAsync(long workerId, CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var now = Now;
        await context.Workers.Where(w => w.Id == workerId).ExecuteUpdateAsync(s => s.SetProperty(w => w.LastHeartbeatAt, now), cancellationToken);
        return await context.Workers.Where(w => w.Id == workerId).Select(w => w.State).FirstAsync(cancellationToken);
    }

    /// <summary>
    /// Claims the next queued job for the worker, unless it may take no more (draining, disabled) or holds as many runs
    /// as it has slots. Expired leases are requeued first, as the local worker does before each claim: a server that
    /// trains nothing itself still puts the runs of a vanished worker back in the queue.
    /// </summary>
    /// <remarks>
    /// With <paramref name="devices"/> (the worker's devices and what they hold), <see cref="GpuScheduler"/> chooses the
    /// run and its device among the first <see cref="PlacementWindow"/> queued runs; a run that fits nowhere yet waits.
    /// </remarks>
    public async Task<ClaimAnswer> ClaimAsync(Worker worker, IReadOnlyList<DeviceLoad>? devices, CancellationToken cancellationToken)
    {
        var state = await HeartbeatAsync(worker.Id, cancellationToken);
        if (state != WorkerState.Active) return new ClaimAnswer(state, null);
        await using (var context = await contexts.CreateDbContextAsync(cancellationToken))
        {
            var held = await context.Jobs.CountAsync(j => j.State == JobState.Leased && j.LeaseOwner == worker.LeaseOwner, cancellationToken);
            if (held >= worker.Slots) return new ClaimAnswer(state, null);
        }
        await leases.RequeueExpiredLeasesAsync(cancellationToken);
        ClaimedJob? job = null;
        Placement? placement = null;
        if (devices is not { Count: > 0 })
            job = await leases.ClaimNextAsync(worker.LeaseOwner, cancellationToken);
        else
            // Another worker may take the chosen run first; then choose again from what is left.
            for (var attempt = 0; attempt < 5 && job is null; attempt++)
            {
                placement = GpuScheduler.PlaceNext(await leases.QueuedRunsAsync(PlacementWindow, cancellationToken), devices);
                if (placement is null) break;
                job = await leases.ClaimRunAsync(placement.RunId, worker.LeaseOwner, cancellationToken);
            }
        if (job is null) return new ClaimAnswer(state, null);
        var storedSeq = await store.StoredSeqAsync(job.RunId, cancellationToken) ?? 0;
        return new ClaimAnswer(state, new ClaimedRun(job.RunId, job.Config, job.Attempts, storedSeq, checkpoints.Exists(job.RunId),
            placement?.Device, placement is null ? null : job.Config.Resources.ShareFor(job.Config.Model)));
    }

    /// <summary>How deep into the queue the scheduler looks for a run that fits a worker's free devices.</summary>
    public const int PlacementWindow = 100;

    /// <summary>Whether the run's job is leased to <paramref name="worker"/>.</summary>
    public async Task<HeldRun> HoldsAsync(Worker worker, long runId, CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var job = await context.Jobs.AsNoTracking().Where(j => j.RunId == runId).Select(j => new { j.State, j.LeaseOwner }).FirstOrDefaultAsync(cancellationToken);
        if (job is null) return await context.Runs.AnyAsync(r => r.Id == runId, cancellationToken) ? HeldRun.NotHeld : HeldRun.NoSuchRun;
        return job.State == JobState.Leased && job.LeaseOwner == worker.LeaseOwner ? HeldRun.Held : HeldRun.NotHeld;
    }

    /// <summary>
    /// The worker starts (or resumes) the run from its checkpoint at <paramref name="resumedStep"/>: the points stored after
    /// it are dropped, since training reports them again, as the local worker does. Returns the stored sequence to go on from.
    /// </summary>
    public async Task<long> StartAsync(long runId, long resumedStep, int resumedEpoch, CancellationToken cancellationToken)
    {
        await writer.TruncateAfterAsync(runId, resumedStep, resumedEpoch, cancellationToken);
        var storedSeq = await store.StoredSeqAsync(runId, cancellationToken) ?? 0;
        await feed.StartAsync(runId, storedSeq);
        return storedSeq;
    }

    /// <summary>Stores a batch (idempotent by sequence), then announces what was newly stored: record, then announce.</summary>
    /// <exception cref="SequenceGapException">The batch starts past the run's stored sequence plus one.</exception>
    public async Task<StoredBatch> StoreEventsAsync(long runId, IReadOnlyList<TrainingEvent> events, CancellationToken cancellationToken)
    {
        var stored = await store.StoreAsync(runId, events, cancellationToken);
        await feed.AnnounceStoredAsync(runId, stored.Stored);
        return stored;
    }

    public Task<HeartbeatResult> RunHeartbeatAsync(Worker worker, long runId, CancellationToken cancellationToken) =>
        leases.HeartbeatAsync(runId, worker.LeaseOwner, cancellationToken);

    public Task<bool> ReleaseAsync(Worker worker, long runId, string? reason, CancellationToken cancellationToken) =>
        leases.ReleaseAsync(runId, worker.LeaseOwner, reason, cancellationToken);

    /// <summary>The run's stored sequence and how its job stands; null when there is no such run.</summary>
    /// <summary>The run a fine-tune run starts from; null for a run from fresh weights (or no such run).</summary>
    public async Task<long?> ParentOfAsync(long runId, CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        return await context.Runs.AsNoTracking().Where(r => r.Id == runId).Select(r => r.ParentRunId).FirstOrDefaultAsync(cancellationToken);
    }

    public async Task<(long StoredSeq, JobState? Job, int Attempts, RunStatus Status)?> RunStateAsync(long runId, CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var run = await context.Runs.AsNoTracking().Where(r => r.Id == runId).Select(r => new { r.StoredSeq, r.Status }).FirstOrDefaultAsync(cancellationToken);
        if (run is null) return null;
        var job = await context.Jobs.AsNoTracking().Where(j => j.RunId == runId).Select(j => new { j.State, j.Attempts }).FirstOrDefaultAsync(cancellationToken);
        return (run.StoredSeq, job?.State, job?.Attempts ?? 0, run.Status);
    }

    /// <summary>
    /// Ends the run the worker held: a crash within the retry budget goes back to the queue (the same rule as the local
    /// worker's, <see cref="JobsOptions.RetriesAfterCrash"/>); anything else is recorded with its finished event, then announced.
    /// </summary>
    public async Task<CompleteAnswer?> CompleteAsync(Worker worker, long runId, int attempts, RunFinishedEvent finished, bool crashed,
        CancellationToken cancellationToken)
    {
        if (crashed && Jobs.RetriesAfterCrash(attempts))
        {
            var released = await leases.ReleaseAsync(runId, worker.LeaseOwner, Jobs.CrashRetryReason(attempts, finished.Summary.Error), cancellationToken);
            return released ? new CompleteAnswer(runId, RunStatus.Queued.ToString().ToLowerInvariant(), Requeued: true) : null;
        }
        var recorded = await leases.CompleteAsync(runId, worker.LeaseOwner, finished, cancellationToken);
        if (recorded is null) return null;
        await feed.AnnounceStoredAsync(runId, [recorded]);
        var status = (await RunStateAsync(runId, cancellationToken))!.Value.Status;
        return new CompleteAnswer(runId, status.ToString().ToLowerInvariant(), Requeued: false);
    }

    /// <summary>Every worker with what it holds, newest heartbeat first.</summary>
    public async Task<IReadOnlyList<WorkerSummary>> ListAsync(CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var workers = await context.Workers.AsNoTracking().OrderByDescending(w => w.LastHeartbeatAt).ThenBy(w => w.Name).ToListAsync(cancellationToken);
        var owners = workers.Select(w => w.LeaseOwner).ToList();
        var held = await context.Jobs.AsNoTracking().Where(j => j.State == JobState.Leased && j.LeaseOwner != null && owners.Contains(j.LeaseOwner))
            .Select(j => new
            {
                j.LeaseOwner, j.RunId, j.Run!.Name, j.Run.Status, j.Attempts, j.Run.EpochsCompleted, j.Run.Epochs, j.HeartbeatAt, j.LeaseExpiresAt,
            })
            .ToListAsync(cancellationToken);
        var userIds = workers.Select(w => w.OwnerUserId).Distinct().ToList();
        var userNames = await context.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.UserName, cancellationToken);
        var onlineSince = Now - TimeSpan.FromSeconds(Jobs.HeartbeatSeconds * 3);
        return workers.Select(w =>
        {
            var runs = held.Where(j => j.LeaseOwner == w.LeaseOwner).OrderBy(j => j.RunId)
                .Select(j => new WorkerRun(j.RunId, j.Name, j.Status, j.Attempts, j.EpochsCompleted, j.Epochs, j.HeartbeatAt, j.LeaseExpiresAt)).ToList();
            return new WorkerSummary(w.Id, w.Name, w.Host, w.Devices, w.Slots, runs.Count, w.State, w.LastHeartbeatAt >= onlineSince, w.Version,
                userNames.GetValueOrDefault(w.OwnerUserId), w.RegisteredAt, w.LastHeartbeatAt, runs);
        }).ToList();
    }

    /// <summary>
    /// Sets what the worker may do. Draining lets it finish what it holds; disabling also gives its runs back to the queue
    /// now (its next heartbeat of each is refused, so it stops them), to resume from their last checkpoint elsewhere.
    /// Returns the runs given back, or null when there is no such worker.
    /// </summary>
    public async Task<int?> SetStateAsync(long workerId, WorkerState state, CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var name = await context.Workers.Where(w => w.Id == workerId).Select(w => w.Name).FirstOrDefaultAsync(cancellationToken);
        if (name is null) return null;
        await context.Workers.Where(w => w.Id == workerId).ExecuteUpdateAsync(s => s.SetProperty(w => w.State, state), cancellationToken);
        if (state != WorkerState.Disabled) return 0;
        var owner = Worker.LeaseOwnerOf(workerId);
        var held = await context.Jobs.Where(j => j.State == JobState.Leased && j.LeaseOwner == owner).Select(j => j.RunId).ToListAsync(cancellationToken);
        var released = 0;
        foreach (var runId in held)
            if (await leases.ReleaseAsync(runId, owner, $"The worker '{name}' was disabled; the run resumes from its last checkpoint.", cancellationToken))
                released++;
        return released;
    }
}
