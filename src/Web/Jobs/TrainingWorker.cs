using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tracker.Shared;
using Tracker.Training.Engine;
using Tracker.Web.Data;
using Tracker.Web.Realtime;

namespace Tracker.Web.Jobs;

/// <summary>
/// Trains queued runs in this process: <see cref="JobsOptions.Workers"/> loops that each claim a job, train it on a
/// thread of its own with a checkpoint folder per run (so a requeued run resumes), and heartbeat while it trains.
/// On shutdown a job is given back to the queue, not failed: the next start resumes it from its checkpoint.
/// </summary>
public sealed class TrainingWorker(
    RunQueue queue,
    RunEventPublisher publisher,
    MetricWriter writer,
    IDbContextFactory<TrackerDbContext> contexts,
    RunCheckpoints checkpoints,
    IOptions<JobsOptions> options,
    ILogger<TrainingWorker> logger) : BackgroundService
{
    private readonly string _instance = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Workers == 0) return;
        try
        {
            var requeued = await queue.RequeueExpiredLeasesAsync(stoppingToken);
            if (requeued > 0) logger.LogInformation("Requeued {Count} jobs whose lease had expired", requeued);
            await Task.WhenAll(Enumerable.Range(1, options.Value.Workers).Select(n => LoopAsync($"{_instance}/{n}", stoppingToken)));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
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
                await queue.RequeueExpiredLeasesAsync(stoppingToken);
                job = await queue.ClaimNextAsync(workerId, stoppingToken);
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
        using var tracked = queue.TrackRunningHere(job.RunId, cancellation);
        var outputDirectory = checkpoints.DirectoryOf(job.RunId);
        Directory.CreateDirectory(outputDirectory);

        var checkpoint = Path.Combine(outputDirectory, Checkpoint.FileName);
        CheckpointMeta? resumed;
        try
        {
            resumed = File.Exists(checkpoint) ? Checkpoint.ReadMeta(checkpoint) : null;
            await RunEventSink.TruncateAfterAsync(contexts, job.RunId, resumed?.Step ?? 0, resumed?.Epoch ?? 0, CancellationToken.None);
        }
        catch (Exception error)
        {
            // Failing the run beats a lease that lapses, is requeued and fails the same way forever.
            logger.LogError(error, "Run {RunId} cannot resume from {Checkpoint}", job.RunId, checkpoint);
            await queue.CompleteAsync(job.RunId, workerId, Failed($"Cannot resume from the checkpoint: {error.Message}"), CancellationToken.None);
            return;
        }
        string? parentWeights = null;
        if (job.Config.ParentRunId is { } parentRunId)
        {
            (parentWeights, var problem) = checkpoints.ResolveParent(parentRunId);
            if (problem is not null)
            {
                await queue.CompleteAsync(job.RunId, workerId, Failed(problem), CancellationToken.None);
                return;
            }
        }
        logger.LogInformation("Worker {Worker} starts run {RunId} (attempt {Attempt}) from epoch {Epoch}", workerId, job.RunId, job.Attempts, (resumed?.Epoch ?? 0) + 1);

        var sink = new RunEventSink(job.RunId, job.Config.Epochs, publisher, writer, contexts, logger);
        RunFinishedEvent? finishedEvent = null;
        var trainerOptions = new TrainerOptions
        {
            OutputDirectory = outputDirectory,
            RunId = job.RunId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            InitialWeightsPath = parentWeights,
        };
        using var stopHeartbeat = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(job.RunId, workerId, cancellation, stopHeartbeat.Token);

        RunFinishedEvent finished;
        try
        {
            // The finished event is held back until we know whether the run ended or the host is only stopping.
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

        var shuttingDown = stoppingToken.IsCancellationRequested && finished.Status == RunOutcome.Cancelled && heartbeatResult != HeartbeatResult.CancelRequested
            && !await CancelRequestedAsync(job.RunId);
        if (shuttingDown || heartbeatResult == HeartbeatResult.LeaseLost)
        {
            await sink.CompleteAsync();
            await queue.ReleaseAsync(job.RunId, workerId, CancellationToken.None);
            logger.LogInformation("Run {RunId} goes back to the queue; it resumes from its last checkpoint", job.RunId);
            return;
        }
        sink.Post(finishedEvent ?? finished);
        await sink.CompleteAsync();
        await queue.CompleteAsync(job.RunId, workerId, finished, CancellationToken.None);
    }

    private static RunFinishedEvent Failed(string error) => new() { Status = RunOutcome.Failed, Summary = new Shared.RunSummary { Error = error } };

    private async Task<bool> CancelRequestedAsync(long runId)
    {
        await using var context = await contexts.CreateDbContextAsync();
        return await context.Runs.AnyAsync(r => r.Id == runId && r.Status == RunStatus.Cancelled);
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
                    result = await queue.HeartbeatAsync(runId, workerId, stop);
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
