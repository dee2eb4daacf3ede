using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Realtime;

namespace Tracker.Web.Jobs;

/// <summary>
/// Where every event of one run goes. <see cref="Post"/> is called on the trainer's thread and never blocks it;
/// one consumer publishes each event live at once and writes metric points in batches: on every epoch, when
/// <see cref="MaxBatch"/> points wait, when the last write is <see cref="FlushInterval"/> old, and always before the
/// run ends (<see cref="CompleteAsync"/>).
/// </summary>
public sealed class RunEventSink
{
    public const int MaxBatch = 500;
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(250);

    private readonly long _runId;
    private readonly int _epochs;
    private readonly RunEventPublisher _publisher;
    private readonly MetricWriter _writer;
    private readonly IDbContextFactory<TrackerDbContext> _contexts;
    private readonly ILogger _logger;
    private readonly Channel<TrainingEvent> _events = Channel.CreateUnbounded<TrainingEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<MetricPoint> _pending = [];
    private readonly Dictionary<string, long> _lastStepByKey = new(StringComparer.Ordinal);
    private readonly Stopwatch _sinceFlush = Stopwatch.StartNew();
    private readonly Task _consumer;

    public RunEventSink(long runId, int epochs, RunEventPublisher publisher, MetricWriter writer, IDbContextFactory<TrackerDbContext> contexts, ILogger logger)
    {
        (_runId, _epochs, _publisher, _writer, _contexts, _logger) = (runId, epochs, publisher, writer, contexts, logger);
        _consumer = Task.Run(ConsumeAsync);
    }

    /// <summary>Hands over one event; called from the training thread.</summary>
    public void Post(TrainingEvent trainingEvent) => _events.Writer.TryWrite(trainingEvent);

    /// <summary>Waits until every posted event is published and every point written.</summary>
    public async Task CompleteAsync()
    {
        _events.Writer.TryComplete();
        await _consumer;
    }

    /// <summary>
    /// Before a run (re)starts: drops the points recorded after <paramref name="resumeStep"/> (the checkpoint it
    /// resumes from; 0 = none), since training reports them again, and rebuilds the run's summaries from what is left.
    /// That keeps every epoch stored exactly once across restarts.
    /// </summary>
    public static async Task TruncateAfterAsync(IDbContextFactory<TrackerDbContext> contexts, long runId, long resumeStep, int resumeEpoch,
        CancellationToken cancellationToken = default)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken);
        var removed = await context.MetricPoints.Where(p => p.RunId == runId && p.Step > resumeStep).ExecuteDeleteAsync(cancellationToken);
        if (removed > 0)
        {
            await context.RunSummaries.Where(s => s.RunId == runId).ExecuteDeleteAsync(cancellationToken);
            await context.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO "RunSummaries" ("RunId", "Key", "Last", "LastStep", "Min", "Max", "Count")
                SELECT p."RunId", p."Key",
                    (SELECT q."Value" FROM "MetricPoints" q WHERE q."RunId" = p."RunId" AND q."Key" = p."Key" ORDER BY q."Step" DESC, q."Id" DESC LIMIT 1),
                    MAX(p."Step"), MIN(p."Value"), MAX(p."Value"), COUNT(*)
                FROM "MetricPoints" p WHERE p."RunId" = {runId} GROUP BY p."RunId", p."Key"
                """, cancellationToken);
        }
        await context.Runs.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.EpochsCompleted, resumeEpoch), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private async Task ConsumeAsync()
    {
        var reader = _events.Reader;
        while (true)
        {
            bool more;
            // Waiting at most one flush interval lets a quiet trainer's points reach the database anyway.
            using (var quiet = new CancellationTokenSource(FlushInterval))
            {
                try
                {
                    more = await reader.WaitToReadAsync(quiet.Token);
                }
                catch (OperationCanceledException)
                {
                    await FlushLoggedAsync();
                    continue;
                }
            }
            if (!more) break;
            while (reader.TryRead(out var trainingEvent)) await HandleAsync(trainingEvent);
        }
        await FlushLoggedAsync();
    }

    private async Task HandleAsync(TrainingEvent trainingEvent)
    {
        try
        {
            await _publisher.PublishAsync(_runId.ToString(System.Globalization.CultureInfo.InvariantCulture), trainingEvent);
        }
        catch (Exception error)
        {
            // Live viewers missing an event must not cost the stored history.
            _logger.LogWarning(error, "Publishing a {Event} event of run {RunId} failed", trainingEvent.GetType().Name, _runId);
        }
        try
        {
            await StoreAsync(trainingEvent);
        }
        catch (Exception error)
        {
            _logger.LogError(error, "Storing a {Event} event of run {RunId} failed", trainingEvent.GetType().Name, _runId);
        }
    }

    private async Task FlushLoggedAsync()
    {
        try
        {
            await FlushAsync();
        }
        catch (Exception error)
        {
            _logger.LogError(error, "Storing metric points of run {RunId} failed", _runId);
        }
    }

    private async Task StoreAsync(TrainingEvent trainingEvent)
    {
        switch (trainingEvent)
        {
            case StepEvent step:
                Add(step.Step, step.Epoch, step.Metrics, step.Time);
                break;
            case AnalysisEvent analysis:
                Add(analysis.Step, analysis.Epoch, analysis.Metrics, analysis.Time);
                break;
            case EpochEvent epoch:
                Add(epoch.Step, epoch.Epoch, epoch.Metrics, epoch.Time);
                await FlushAsync();
                await using (var context = await _contexts.CreateDbContextAsync())
                {
                    var progress = Math.Clamp((double)epoch.Epoch / Math.Max(_epochs, 1), 0, 1);
                    await context.Runs.Where(r => r.Id == _runId).ExecuteUpdateAsync(s => s
                        .SetProperty(r => r.EpochsCompleted, epoch.Epoch)
                        .SetProperty(r => r.Progress, progress));
                }
                return;
            case RunFinishedEvent:
                await FlushAsync();
                return;
        }
        if (_pending.Count >= MaxBatch || _sinceFlush.Elapsed >= FlushInterval) await FlushAsync();
    }

    private void Add(long step, int epoch, IReadOnlyDictionary<string, double> metrics, DateTimeOffset time)
    {
        foreach (var (key, value) in metrics)
        {
            // A step event at an epoch's last step reports the values the epoch event repeats (train/loss, lr, drop
            // rates): each is stored once, or charts and summaries would count it twice.
            if (_lastStepByKey.TryGetValue(key, out var lastStep) && lastStep == step) continue;
            _lastStepByKey[key] = step;
            _pending.Add(new MetricPoint { RunId = _runId, Key = key, Step = step, Epoch = epoch, Value = value, Time = time.UtcDateTime });
        }
    }

    private async Task FlushAsync()
    {
        _sinceFlush.Restart();
        if (_pending.Count == 0) return;
        var batch = _pending.ToList();
        _pending.Clear();
        await _writer.AppendAsync(batch);
    }
}
