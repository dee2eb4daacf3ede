using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Jobs;
using Tracker.Web.Realtime;

namespace Tracker.Web.Features.Sweeps;

/// <summary>
/// A sweep's median stopping rule, applied after an epoch of one of its runs: compares the run's value with the
/// sweep's succeeded runs at that epoch (<see cref="MedianStopping"/>) and, when it is worse, records why on the run
/// (<see cref="Run.StoppedEarly"/>) and then asks the queue to cancel it. Record first: the page never shows a run
/// stopped without its reason. A stopped run ends cancelled.
/// </summary>
public sealed class SweepEarlyStopping(IDbContextFactory<TrackerDbContext> contexts, JobLeases queue, ILogger<SweepEarlyStopping> logger)
{
    public const string Prefix = "Stopped early by the sweep's median stopping rule: ";

    /// <summary>The rule's decision for the run at <paramref name="epoch"/>; null when the run has no rule to apply or no value of its metric.</summary>
    public async Task<StoppingDecision?> EvaluateAsync(long runId, int epoch, IReadOnlyDictionary<string, double> metrics, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var sweep = await context.Runs.AsNoTracking().Where(r => r.Id == runId && r.SweepId != null && r.Status == RunStatus.Running)
            .Join(context.Sweeps, r => r.SweepId, s => s.Id, (r, s) => s)
            .Where(s => s.EarlyStopMetric != null)
            .FirstOrDefaultAsync(cancellationToken);
        if (sweep is null || !metrics.TryGetValue(sweep.EarlyStopMetric!, out var value)) return null;

        var rule = new MedianStopping(sweep.EarlyStopMetric!, sweep.EarlyStopMinRuns, sweep.EarlyStopMinEpoch);
        if (epoch < rule.MinimumEpoch) return rule.Decide([], epoch, value);
        // Each succeeded run's value at this epoch: the point with the highest step of that epoch (step-wise metrics
        // such as train/loss have several; the epoch's value is reported last).
        var points = await context.MetricPoints.AsNoTracking()
            .Where(p => p.Key == rule.MetricKey && p.Epoch == epoch)
            .Join(context.Runs.Where(r => r.SweepId == sweep.Id && r.Status == RunStatus.Succeeded && r.Id != runId), p => p.RunId, r => r.Id, (p, r) => p)
            .Select(p => new { p.RunId, p.Step, p.Value })
            .ToListAsync(cancellationToken);
        var histories = points.GroupBy(p => p.RunId)
            .Select(g => (IReadOnlyDictionary<int, double>)new Dictionary<int, double> { [epoch] = g.MaxBy(p => p.Step)!.Value })
            .ToList();
        var decision = rule.Decide(histories, epoch, value);
        if (!decision.Stop) return decision;

        var recorded = await context.Runs.Where(r => r.Id == runId && r.Status == RunStatus.Running && r.StoppedEarly == null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.StoppedEarly, Prefix + decision.Explanation + "."), cancellationToken);
        if (recorded == 1)
        {
            logger.LogInformation("Run {RunId} of sweep {SweepId} stopped early: {Explanation}", runId, sweep.Id, decision.Explanation);
            await queue.CancelAsync(runId, cancellationToken);
        }
        return decision;
    }
}

/// <summary>Feeds every stored run's epoch events to <see cref="SweepEarlyStopping"/>, off the event publisher's path.</summary>
public sealed class SweepEarlyStoppingListener(RunNotifier notifier, SweepEarlyStopping stopping, ILogger<SweepEarlyStoppingListener> logger) : BackgroundService
{
    private readonly Channel<(long RunId, EpochEvent Epoch)> _epochs = Channel.CreateUnbounded<(long, EpochEvent)>(new UnboundedChannelOptions { SingleReader = true });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = notifier.SubscribeAll((runId, trainingEvent) =>
        {
            if (trainingEvent is EpochEvent epoch) _epochs.Writer.TryWrite((runId, epoch));
            return Task.CompletedTask;
        });
        try
        {
            await foreach (var (runId, epoch) in _epochs.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await stopping.EvaluateAsync(runId, epoch.Epoch, epoch.Metrics, stoppingToken);
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    // A missed decision lets a bad run go on; it must not stop the rule for the others.
                    logger.LogWarning(error, "Early stopping could not judge epoch {Epoch} of run {RunId}", epoch.Epoch, runId);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
