using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tracker.Shared;
using Tracker.Training.Engine;
using Tracker.Training.Processes;
using Tracker.Web.Data;
using Tracker.Web.Realtime;

namespace Tracker.Web.Jobs;

/// <summary>
/// Trains queued runs: <see cref="JobsOptions.Workers"/> loops that each claim a job, train it in a child process of
/// its own (<see cref="TrainingProcess"/>; a crash there fails or retries that run, never the app) with a checkpoint
/// folder per run (so a requeued run resumes), and heartbeat while it trains.
/// On shutdown a job is given back to the queue, not failed: the next start resumes it from its checkpoint. A run
/// whose events cannot be stored for <see cref="JobsOptions.StoreOutageSeconds"/> is paused the same way; a run is
/// recorded finished only once all its events are stored, and announced finished only after that.
/// </summary>
public sealed class TrainingWorker(
    JobLeases leases,
    RunEventStore store,
    RunEventFeed feed,
    StorageHealth health,
    MetricWriter writer,
    IDbContextFactory<TrackerDbContext> contexts,
    RunCheckpoints checkpoints,
    IOptions<JobsOptions> options,
    ILogger<TrainingWorker> logger) : BackgroundService
{
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(5);

    private readonly string _instance = LeaseOwners.InstanceOf(options.Value);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Workers == 0) return;
        try
        {
            await RequeueAtStartAsync(stoppingToken);
            var process = LeaseOwners.ProcessOwner(_instance);
            await Task.WhenAll(Enumerable.Range(1, options.Value.Workers).Select(n => LoopAsync($"{process}/{n}", stoppingToken)));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RequeueAtStartAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Our previous process is gone (we are its restart), so its leases need not wait out their expiry.
            var orphaned = await leases.RequeueLeasesOfDeadProcessesAsync(_instance, stoppingToken);
            if (orphaned > 0) logger.LogInformation("Requeued {Count} jobs that this instance's previous process held", orphaned);
            var requeued = await leases.RequeueExpiredLeasesAsync(stoppingToken);
            if (requeued > 0) logger.LogInformation("Requeued {Count} jobs whose lease had expired", requeued);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            logger.LogError(error, "Requeueing leases at start failed; the workers' loops try again");
        }
    }

    private async Task LoopAsync(string workerId, CancellationToken stoppingToken)
    {
        var poll = TimeSpan.FromSeconds(options.Value.PollSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            ClaimedJob? job;
            try
            {
                await leases.RequeueExpiredLeasesAsync(stoppingToken);
                job = await leases.ClaimNextAsync(workerId, stoppingToken);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                logger.LogError(error, "Worker {Worker} could not claim a job", workerId);
                job = null;
            }
            if (job is null)
            {
                await Task.Delay(poll, stoppingToken);
                continue;
            }
            try
            {
                await TrainAsync(job, workerId, stoppingToken);
            }
            catch (Exception error) when (error is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogError(error, "Worker {Worker} failed on run {RunId}", workerId, job.RunId);
            }
        }
    }

    private async Task TrainAsync(ClaimedJob job, string workerId, CancellationToken stoppingToken)
    {
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        using var tracked = leases.TrackRunningHere(job.RunId, cancellation);
        var outputDirectory = checkpoints.DirectoryOf(job.RunId);
        Directory.CreateDirectory(outputDirectory);
        // A checkpoint never promoted may be ahead of the stored events: resuming from it would leave a hole.
        Checkpoint.DiscardStaged(outputDirectory);

        var checkpoint = Path.Combine(outputDirectory, Checkpoint.FileName);
        CheckpointMeta? resumed;
        long storedSeq;
        try
        {
            resumed = File.Exists(checkpoint) ? Checkpoint.ReadMeta(checkpoint) : null;
            await writer.TruncateAfterAsync(job.RunId, resumed?.Step ?? 0, resumed?.Epoch ?? 0, CancellationToken.None);
            storedSeq = await store.StoredSeqAsync(job.RunId, CancellationToken.None) ?? 0;
        }
        catch (Exception error) when (StorageErrors.IsStorageError(error))
        {
            // The database is down, not the run: it goes back to the queue (or its lease lapses) and starts later.
            logger.LogWarning(error, "Run {RunId} cannot start while the database fails", job.RunId);
            health.ReportFailure(error);
            await GiveBackAsync(job.RunId, workerId, $"Paused: the database failed as the run started: {error.Message}", stoppingToken);
            await Task.Delay(TimeSpan.FromSeconds(options.Value.PollSeconds), stoppingToken);
            return;
        }
        catch (Exception error)
        {
            // Failing the run beats a lease that lapses, is requeued and fails the same way forever.
            logger.LogError(error, "Run {RunId} cannot resume from {Checkpoint}", job.RunId, checkpoint);
            await CompleteAsync(job.RunId, workerId, Failed($"Cannot resume from the checkpoint: {error.Message}"), stoppingToken);
            return;
        }
        string? parentWeights = null;
        if (job.Config.ParentRunId is { } parentRunId)
        {
            (parentWeights, var problem) = checkpoints.ResolveParent(parentRunId);
            if (problem is not null)
            {
                await CompleteAsync(job.RunId, workerId, Failed(problem), stoppingToken);
                return;
            }
        }
        logger.LogInformation("Worker {Worker} starts run {RunId} (attempt {Attempt}) from epoch {Epoch}", workerId, job.RunId, job.Attempts, (resumed?.Epoch ?? 0) + 1);

        await feed.StartAsync(job.RunId, storedSeq);
        var sink = new RunEventSink(job.RunId, store, feed, health, SinkLimits.From(options.Value), logger, _ => cancellation.Cancel());
        RunFinishedEvent? finishedEvent = null;
        var trainerOptions = new TrainerOptions
        {
            OutputDirectory = outputDirectory,
            RunId = job.RunId,
            InitialWeightsPath = parentWeights,
            LastSequence = storedSeq,
            StageCheckpoints = true,
        };
        using var stopHeartbeat = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(job.RunId, workerId, cancellation, stopHeartbeat.Token);

        RunFinishedEvent finished;
        var crashed = false;
        try
        {
            // The finished event is held back: it is recorded with the run's status, once every event before it is stored.
            if (options.Value.TrainInChildProcess)
            {
                var result = await new TrainingProcess(ProcessOptions()).RunAsync(job.Config, trainerOptions, e =>
                {
                    sink.Post(e);
                    return ValueTask.CompletedTask;
                }, cancellation.Token);
                (finished, finishedEvent, crashed) = (result.Finished, result.Finished, result.Crashed);
            }
            else
                finished = await Task.Factory.StartNew(
                    () => new Trainer(job.Config, trainerOptions, e => { if (e is RunFinishedEvent f) finishedEvent = f; else sink.Post(e); }).Run(cancellation.Token),
                    CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        catch (Exception error)
        {
            finished = Failed(error.Message);
        }
        await stopHeartbeat.CancelAsync();
        var heartbeatResult = await heartbeat;
        await sink.CompleteAsync();

        if (sink.Failure is { } storeFailure)
        {
            var reason = $"Paused: {storeFailure}. The run resumes from its last checkpoint whose events are all stored.";
            await GiveBackAsync(job.RunId, workerId, reason, stoppingToken);
            logger.LogWarning("Run {RunId} goes back to the queue: {Reason}", job.RunId, reason);
            return;
        }
        var shuttingDown = stoppingToken.IsCancellationRequested && finished.Status == RunOutcome.Cancelled && heartbeatResult != HeartbeatResult.CancelRequested
            && !await CancelRequestedAsync(job.RunId);
        if (shuttingDown || heartbeatResult == HeartbeatResult.LeaseLost)
        {
            await GiveBackAsync(job.RunId, workerId, reason: null, CancellationToken.None);
            logger.LogInformation("Run {RunId} goes back to the queue; it resumes from its last checkpoint", job.RunId);
            return;
        }
        if (crashed && options.Value.RetriesAfterCrash(job.Attempts))
        {
            var reason = options.Value.CrashRetryReason(job.Attempts, finished.Summary.Error);
            await GiveBackAsync(job.RunId, workerId, reason, stoppingToken);
            logger.LogWarning("Run {RunId} goes back to the queue: {Reason}", job.RunId, reason);
            return;
        }
        await CompleteAsync(job.RunId, workerId, finishedEvent ?? finished, stoppingToken);
    }

    /// <summary>The engine beside the app (the Web project references it), unless Jobs:EnginePath names another.</summary>
    private TrainingProcessOptions ProcessOptions() => new(
        options.Value.EnginePath ?? TrainingProcess.DefaultEnginePath, options.Value.CancelGraceSeconds,
        (runId, line) => logger.LogDebug("tracker-train (run {RunId}): {Line}", runId, line),
        (runId, error, line) => logger.LogWarning("tracker-train (run {RunId}) wrote a line that is no event ({Error}): {Line}", runId, error, line));

    private static RunFinishedEvent Failed(string error) => new() { Status = RunOutcome.Failed, Summary = new RunOutcomeSummary { Error = error } };

    /// <summary>Records the end (retried while the database fails, until the host stops), then announces it: record, then announce.</summary>
    private async Task CompleteAsync(long runId, string workerId, RunFinishedEvent finished, CancellationToken stoppingToken)
    {
        var recorded = await RetryAsync(() => leases.CompleteAsync(runId, workerId, finished, CancellationToken.None), $"recording the end of run {runId}", stoppingToken);
        if (recorded is not null) await feed.AnnounceStoredAsync(runId, [recorded]);
    }

    /// <summary>Gives the job back (retried while the database fails); if that never succeeds, its lease lapses and it is requeued anyway.</summary>
    private Task GiveBackAsync(long runId, string workerId, string? reason, CancellationToken stoppingToken) =>
        RetryAsync(() => leases.ReleaseAsync(runId, workerId, reason, CancellationToken.None), $"giving run {runId} back to the queue", stoppingToken);

    private async Task<T?> RetryAsync<T>(Func<Task<T>> write, string what, CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                var result = await write();
                health.ReportSuccess();
                return result;
            }
            catch (Exception error) when (StorageErrors.IsStorageError(error) && !stoppingToken.IsCancellationRequested)
            {
                health.ReportFailure(error);
                logger.LogWarning(error, "The database failed {What}; retrying in {Delay}", what, delay);
                try
                {
                    await Task.Delay(delay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return default;
                }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestRetry.Ticks));
            }
        }
    }

    private async Task<bool> CancelRequestedAsync(long runId)
    {
        try
        {
            await using var context = await contexts.CreateDbContextAsync();
            return await context.Runs.AnyAsync(r => r.Id == runId && r.Status == RunStatus.Cancelled);
        }
        catch (Exception error) when (StorageErrors.IsStorageError(error))
        {
            return false; // unknown: giving the run back loses nothing, a cancel is seen at its next claim
        }
    }

    /// <summary>Renews the lease until training ends; cancels training on a cancel request or a lost lease.</summary>
    private async Task<HeartbeatResult> HeartbeatAsync(long runId, string workerId, CancellationTokenSource training, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.HeartbeatSeconds));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                HeartbeatResult result;
                try
                {
                    result = await leases.HeartbeatAsync(runId, workerId, stop);
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    // A database hiccup: the lease has slack for a missed beat.
                    logger.LogWarning(error, "Heartbeat of run {RunId} failed", runId);
                    continue;
                }
                if (result == HeartbeatResult.Continue) continue;
                await training.CancelAsync();
                return result;
            }
        }
        catch (OperationCanceledException)
        {
        }
        return HeartbeatResult.Continue;
    }
}
