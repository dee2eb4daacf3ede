using System.Diagnostics;
using System.Threading.Channels;
using Tracker.Shared;
using Tracker.Training.Engine;
using Tracker.Web.Data;
using Tracker.Web.Realtime;

namespace Tracker.Web.Jobs;

/// <summary>How a run's events wait for the store.</summary>
/// <param name="Buffer">Events held unstored before <see cref="RunEventSink.Post"/> makes the trainer wait.</param>
/// <param name="OutageLimit">How long storing may keep failing before the sink gives up and the run is paused.</param>
public sealed record SinkLimits(int Buffer, TimeSpan OutageLimit)
{
    public static SinkLimits From(JobsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new SinkLimits(options.EventBuffer, TimeSpan.FromSeconds(options.StoreOutageSeconds));
    }
}

/// <summary>
/// Where every event of one run goes on its way to the database: store, acknowledge, then announce. <see cref="Post"/>
/// is called on the trainer's thread; one consumer stores the events in batches (on every epoch and checkpoint, when
/// <see cref="MaxBatch"/> points wait, when the last write is <see cref="FlushInterval"/> old, and before the run ends)
/// through <see cref="RunEventStore"/>, and only then promotes the checkpoints among them to the run's resume point and
/// announces them (<see cref="RunEventFeed"/>). Announcing runs on a task of its own, in order: a live page renders
/// inline on the announcing thread, and the next batch should not wait for that render to be stored. A failed write is
/// retried with backoff; meanwhile events wait in a bounded buffer, and when it is full the trainer waits in
/// <see cref="Post"/>. Nothing is dropped: if the store stays down past <see cref="SinkLimits.OutageLimit"/>, the sink
/// gives up (<see cref="Failure"/>) and calls back so the worker stops training and pauses the run.
/// </summary>
public sealed class RunEventSink
{
    // Each batch costs a transaction, the run's row read and updated, and a commit; at 500 points that fixed part was
    // almost half of an acknowledged batch's CPU, and 8,000 still acknowledge ~15% more points/s than 2,000
    // (benchmarks/ingest, decision 0011). A run's epochs are stored at once regardless, and a quiet run every FlushInterval.
    public const int MaxBatch = 8000;
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(2);

    private readonly long _runId;
    private readonly RunEventStore _store;
    private readonly RunEventFeed _feed;
    private readonly StorageHealth _health;
    private readonly SinkLimits _limits;
    private readonly ILogger _logger;
    private readonly Action<string> _onGiveUp;
    private readonly Channel<SerializedEvent> _events;
    private readonly CancellationTokenSource _gaveUp = new();
    private readonly List<SerializedEvent> _pending = [];
    private int _pendingPoints;
    private readonly Stopwatch _sinceFlush = Stopwatch.StartNew();
    private readonly Task _consumer;
    private readonly Channel<IReadOnlyList<TrainingEvent>> _stored;
    private readonly Task _announcer;

    /// <param name="onGiveUp">Called once, with the reason, when the store stayed down past the limit.</param>
    public RunEventSink(long runId, RunEventStore store, RunEventFeed feed, StorageHealth health, SinkLimits limits, ILogger logger, Action<string> onGiveUp)
    {
        (_runId, _store, _feed, _health, _limits, _logger, _onGiveUp) = (runId, store, feed, health, limits, logger, onGiveUp);
        _events = Channel.CreateBounded<SerializedEvent>(new BoundedChannelOptions(limits.Buffer) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        // Bounded too: live pages that fall this many batches behind make storing (and so training) wait for them.
        _stored = Channel.CreateBounded<IReadOnlyList<TrainingEvent>>(new BoundedChannelOptions(StoredBatchesAhead) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        _consumer = Task.Run(ConsumeAsync);
        _announcer = Task.Run(AnnounceAsync);
    }

    /// <summary>Stored batches that may wait to be announced.</summary>
    private const int StoredBatchesAhead = 64;

    /// <summary>The highest sequence number the store has acknowledged.</summary>
    public long AckedSeq { get; private set; }

    /// <summary>Why the sink gave up (the store stayed down); null while every event is on its way.</summary>
    public string? Failure { get; private set; }

    /// <summary>
    /// Hands over one event; called from the training thread, which waits here while the buffer is full. The event is
    /// serialized here, on the producer's thread, so that the writing thread only writes.
    /// </summary>
    public void Post(TrainingEvent trainingEvent)
    {
        var serialized = SerializedEvent.Of(trainingEvent);
        if (_events.Writer.TryWrite(serialized) || _gaveUp.IsCancellationRequested) return;
        try
        {
            _events.Writer.WriteAsync(serialized, _gaveUp.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            // Given up: the run stops and resumes from its last stored checkpoint, which reports this event again.
        }
    }

    /// <summary>Waits until every posted event is stored and announced, or the sink has given up.</summary>
    public async Task CompleteAsync()
    {
        _events.Writer.TryComplete();
        try
        {
            await _consumer;
        }
        finally
        {
            _stored.Writer.TryComplete();
            await _announcer;
        }
    }

    private async Task ConsumeAsync()
    {
        var reader = _events.Reader;
        while (true)
        {
            bool more;
            // Waiting at most one flush interval lets a quiet trainer's events reach the database anyway.
            using (var quiet = new CancellationTokenSource(FlushInterval))
            {
                try
                {
                    more = await reader.WaitToReadAsync(quiet.Token);
                }
                catch (OperationCanceledException)
                {
                    await FlushAsync();
                    continue;
                }
            }
            if (!more) break;
            while (reader.TryRead(out var serialized))
            {
                if (_gaveUp.IsCancellationRequested) continue; // drained: the resumed run reports these again
                _pending.Add(serialized);
                var trainingEvent = serialized.Event;
                _pendingPoints += PointsIn(trainingEvent);
                // An epoch or checkpoint is stored at once: progress shows it, and a checkpoint becomes the resume point.
                if (trainingEvent is EpochEvent or CheckpointEvent || _pendingPoints >= MaxBatch || _sinceFlush.Elapsed >= FlushInterval)
                    await FlushAsync();
            }
        }
        await FlushAsync();
    }

    private static int PointsIn(TrainingEvent trainingEvent) => trainingEvent is IStepMetrics measured ? measured.Metrics.Count : 1;

    private async Task FlushAsync()
    {
        _sinceFlush.Restart();
        if (_pending.Count == 0 || _gaveUp.IsCancellationRequested) return;
        var batch = _pending.ToList();
        if (await StoreWithRetryAsync(batch) is not { } stored) return;
        _pending.Clear();
        _pendingPoints = 0;
        AckedSeq = stored.AckedSeq;
        // Every event up to the checkpoint is stored now, so a resume from it skips nothing.
        if (batch.Select(e => e.Event).OfType<CheckpointEvent>().LastOrDefault() is { } checkpoint)
        {
            try
            {
                Checkpoint.Promote(checkpoint.Path);
            }
            catch (IOException error)
            {
                _logger.LogWarning(error, "Checkpoint {Path} of run {RunId} could not become the resume point", checkpoint.Path, _runId);
            }
        }
        if (stored.Stored.Count > 0) await _stored.Writer.WriteAsync(stored.Stored);
    }

    /// <summary>Announces the stored batches in the order they were stored; several waiting ones go out as one.</summary>
    private async Task AnnounceAsync()
    {
        var reader = _stored.Reader;
        while (await reader.WaitToReadAsync())
        {
            var events = new List<TrainingEvent>();
            while (reader.TryRead(out var batch)) events.AddRange(batch);
            try
            {
                await _feed.AnnounceStoredAsync(_runId, events);
            }
            catch (Exception error)
            {
                // Live viewers missing an event must not cost the stored history; they catch up by sequence.
                _logger.LogWarning(error, "Announcing events of run {RunId} failed", _runId);
            }
        }
    }

    /// <summary>Stores the batch, retrying with backoff until it is stored or the store has been down past the limit (null).</summary>
    private async Task<StoredBatch?> StoreWithRetryAsync(List<SerializedEvent> batch)
    {
        var outage = Stopwatch.StartNew();
        var delay = FirstRetry;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var stored = await _store.StoreAsync(_runId, batch);
                if (attempt > 1) _logger.LogInformation("Events of run {RunId} are stored again after {Seconds:F1} s", _runId, outage.Elapsed.TotalSeconds);
                _health.ReportSuccess();
                return stored;
            }
            catch (Exception error) when (error is SequenceGapException or UnknownRunException)
            {
                // Not a passing outage: retrying cannot help.
                GiveUp($"Storing the run's events failed: {error.Message}", error);
                return null;
            }
            catch (Exception error)
            {
                _health.ReportFailure(error);
                if (outage.Elapsed >= _limits.OutageLimit)
                {
                    GiveUp($"The database did not store the run's events for {outage.Elapsed.TotalSeconds:F0} s: {error.Message}", error);
                    return null;
                }
                if (attempt == 1) _logger.LogWarning(error, "Storing events of run {RunId} failed; retrying, training waits when {Buffer} events wait", _runId, _limits.Buffer);
                await Task.Delay(delay);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestRetry.Ticks));
            }
        }
    }

    private void GiveUp(string reason, Exception error)
    {
        _logger.LogError(error, "Run {RunId}: {Reason}", _runId, reason);
        Failure = reason;
        _pending.Clear();
        _gaveUp.Cancel();
        _onGiveUp(reason);
    }
}
