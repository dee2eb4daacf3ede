using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Tracker.Shared;

namespace Tracker.Web.Data;

/// <summary>What <see cref="RunEventStore.StoreAsync"/> did: the run's stored sequence after the commit, and the events it newly stored.</summary>
/// <param name="AckedSeq">Every event of the run up to this sequence number is stored.</param>
/// <param name="Stored">The events of the batch that were not stored before, in order: the ones to announce.</param>
public sealed record StoredBatch(long AckedSeq, IReadOnlyList<TrainingEvent> Stored);

/// <summary>A batch that does not continue where the run's stored events end: a producer must resend from <see cref="ExpectedSeq"/>.</summary>
public sealed class SequenceGapException(long runId, long expectedSeq, long gotSeq)
    : InvalidOperationException($"Run {runId} has its events stored up to {expectedSeq - 1}; the next must be {expectedSeq}, not {gotSeq}.")
{
    public long RunId { get; } = runId;
    public long ExpectedSeq { get; } = expectedSeq;
}

/// <summary>
/// An event with its stored JSON, made by whoever produces the event: the sink serializes on the trainer's thread, so
/// the one thread that writes to the database does not (JSON was about a tenth of that thread's time in a dotnet-trace
/// profile of the ingest benchmark).
/// </summary>
public sealed record SerializedEvent(TrainingEvent Event, string Payload)
{
    public static SerializedEvent Of(TrainingEvent trainingEvent) => new(trainingEvent, JsonSerializer.Serialize(trainingEvent, TrackerJson.Options));
}

/// <summary>There is no run with the id an event batch names.</summary>
public sealed class UnknownRunException(long runId) : InvalidOperationException($"There is no run {runId}.")
{
    public long RunId { get; } = runId;
}

/// <summary>
/// The one write path of a run's training events, shaped for any producer: the in-process sink today, an HTTP ingest
/// endpoint for remote workers and the Python client later. A batch is stored in one transaction: the events
/// themselves (<see cref="RunEvent"/>, for readers that catch up), their metric points and summaries
/// (<see cref="MetricWriter"/>), the run's progress, and the run's <see cref="Run.StoredSeq"/>, which is the
/// acknowledgement. Idempotent: events at or below the stored sequence are skipped, so resending a batch whose
/// acknowledgement was lost changes nothing. On PostgreSQL the same transaction notifies other app instances
/// (<see cref="NotifyChannel"/>), which PostgreSQL delivers only on commit: record, then announce.
/// </summary>
public sealed class RunEventStore(IDbContextFactory<TrackerDbContext> contexts)
{
    /// <summary>The PostgreSQL LISTEN/NOTIFY channel; the payload is "runId:firstSeq:lastSeq" of a committed batch.</summary>
    public const string NotifyChannel = "tracker_run_events";

    /// <summary>Stores a batch of one run's events (in any order; those already stored are skipped) and acknowledges it.</summary>
    /// <exception cref="SequenceGapException">The batch does not continue at the run's stored sequence plus one.</exception>
    /// <exception cref="UnknownRunException">No such run.</exception>
    public Task<StoredBatch> StoreAsync(long runId, IReadOnlyList<TrainingEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        return StoreAsync(runId, events.Select(SerializedEvent.Of).ToList(), cancellationToken);
    }

    /// <summary><see cref="StoreAsync(long, IReadOnlyList{TrainingEvent}, CancellationToken)"/> of events serialized already.</summary>
    public async Task<StoredBatch> StoreAsync(long runId, IReadOnlyList<SerializedEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken);
        var result = await StoreInTransactionAsync(context, runId, events, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>
    /// <see cref="StoreAsync"/> inside the transaction <paramref name="context"/> has open, so the caller can commit
    /// more with it (the queue records a run's final status together with its finished event).
    /// </summary>
    public static Task<StoredBatch> StoreInTransactionAsync(TrackerDbContext context, long runId, IReadOnlyList<TrainingEvent> events,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        return StoreInTransactionAsync(context, runId, events.Select(SerializedEvent.Of).ToList(), cancellationToken);
    }

    /// <inheritdoc cref="StoreInTransactionAsync(TrackerDbContext, long, IReadOnlyList{TrainingEvent}, CancellationToken)"/>
    public static async Task<StoredBatch> StoreInTransactionAsync(TrackerDbContext context, long runId, IReadOnlyList<SerializedEvent> events,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(events);
        // Not EF.CompileAsyncQuery: a compiled query keeps the first context's provider, and both providers share this code.
        var run = await context.Runs.Where(r => r.Id == runId).Select(r => new { r.StoredSeq, r.Epochs, r.EpochsCompleted }).FirstOrDefaultAsync(cancellationToken)
            ?? throw new UnknownRunException(runId);
        var freshSerialized = events.Where(e => e.Event.Seq > run.StoredSeq).OrderBy(e => e.Event.Seq).ToList();
        var fresh = freshSerialized.Select(e => e.Event).ToList();
        if (fresh.Count == 0) return new StoredBatch(run.StoredSeq, []);
        for (var i = 0; i < fresh.Count; i++)
            if (fresh[i].Seq != run.StoredSeq + 1 + i) throw new SequenceGapException(runId, run.StoredSeq + 1 + i, fresh[i].Seq);

        var transaction = context.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Events are stored inside a transaction.");
        var connection = context.Database.GetDbConnection();
        var rows = freshSerialized.Select(e => new RunEvent
        {
            RunId = runId, Seq = e.Event.Seq, Type = TypeOf(e.Event), Payload = e.Payload, Time = e.Event.Time.UtcDateTime,
        }).ToList();
        if (context.Database.IsNpgsql()) await InsertToPostgresAsync(connection, transaction, rows, cancellationToken);
        else InsertToSqlite(connection, rows);

        await MetricWriter.AppendInTransactionAsync(context, await PointsOfAsync(context, runId, fresh, cancellationToken), cancellationToken);

        var lastSeq = fresh[^1].Seq;
        // The stored sequence moves only from the value read above: a second writer of the same run makes this
        // update miss, and its transaction fails instead of storing an event twice.
        // A script's points say which epoch they belong to; the highest one logged counts as the epochs it has reached.
        var lastEpoch = fresh.OfType<EpochEvent>().LastOrDefault()?.Epoch
            ?? (fresh.OfType<PointsEvent>().SelectMany(e => e.Points).Max(p => p.Epoch) is { } logged ? Math.Max(logged, run.EpochsCompleted) : null);
        var progress = lastEpoch is { } epochs ? RunStatuses.Progress(epochs, run.Epochs) : 0;
        var acknowledged = lastEpoch is { } epochsCompleted
            ? await context.Runs.Where(r => r.Id == runId && r.StoredSeq == run.StoredSeq).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.StoredSeq, lastSeq)
                .SetProperty(r => r.EpochsCompleted, epochsCompleted)
                .SetProperty(r => r.Progress, progress), cancellationToken)
            : await context.Runs.Where(r => r.Id == runId && r.StoredSeq == run.StoredSeq)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.StoredSeq, lastSeq), cancellationToken);
        if (acknowledged != 1) throw new DbUpdateConcurrencyException($"Run {runId}'s events were stored by another writer meanwhile.");

        if (context.Database.IsNpgsql())
            await context.Database.ExecuteSqlInterpolatedAsync(
                $"SELECT pg_notify({NotifyChannel}, {NotifyPayload(runId, fresh[0].Seq, lastSeq)})", cancellationToken);
        return new StoredBatch(lastSeq, fresh);
    }

    /// <summary>The run's events after <paramref name="afterSeq"/> up to <paramref name="upToSeq"/> (null: all stored), in order, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<TrainingEvent>> ReadAsync(long runId, long afterSeq, long? upToSeq = null, int limit = int.MaxValue,
        CancellationToken cancellationToken = default)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var payloads = await context.RunEvents.AsNoTracking()
            .Where(e => e.RunId == runId && e.Seq > afterSeq && (upToSeq == null || e.Seq <= upToSeq))
            .OrderBy(e => e.Seq).Take(limit).Select(e => e.Payload).ToListAsync(cancellationToken);
        return payloads.Select(payload => JsonSerializer.Deserialize<TrainingEvent>(payload, TrackerJson.Options)!).ToList();
    }

    /// <summary>The run's stored sequence (0: none stored yet); null when there is no such run.</summary>
    public async Task<long?> StoredSeqAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        return await context.Runs.Where(r => r.Id == runId).Select(r => (long?)r.StoredSeq).FirstOrDefaultAsync(cancellationToken);
    }

    public static string NotifyPayload(long runId, long firstSeq, long lastSeq) =>
        string.Create(CultureInfo.InvariantCulture, $"{runId}:{firstSeq}:{lastSeq}");

    /// <summary>Reads a <see cref="NotifyPayload"/>; false for anything else on the channel.</summary>
    public static bool TryParseNotifyPayload(string payload, out long runId, out long firstSeq, out long lastSeq)
    {
        (runId, firstSeq, lastSeq) = (0, 0, 0);
        var parts = payload.Split(':');
        return parts.Length == 3
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out runId)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out firstSeq)
            && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out lastSeq);
    }

    private static string TypeOf(TrainingEvent trainingEvent) => trainingEvent switch
    {
        RunStartedEvent => TrainingEventTypes.RunStarted,
        StepEvent => TrainingEventTypes.Step,
        EpochEvent => TrainingEventTypes.Epoch,
        AnalysisEvent => TrainingEventTypes.Analysis,
        CheckpointEvent => TrainingEventTypes.Checkpoint,
        RunFinishedEvent => TrainingEventTypes.RunFinished,
        PointsEvent => TrainingEventTypes.Points,
        _ => throw new ArgumentException($"Unknown event {trainingEvent.GetType().Name}.", nameof(trainingEvent)),
    };

    /// <summary>
    /// The metric points of the events, each (key, step) once. The trainer reports an epoch's last step twice, in a
    /// step event and again in the epoch event (train/loss, lr, drop rates), possibly in two batches: an epoch
    /// event's points that are already stored at its step are left out, or charts and summaries would count them twice.
    /// </summary>
    private static async Task<List<MetricPoint>> PointsOfAsync(TrackerDbContext context, long runId, List<TrainingEvent> events, CancellationToken cancellationToken)
    {
        var points = new List<MetricPoint>();
        var seen = new HashSet<(string Key, long Step)>();
        foreach (var trainingEvent in events)
        {
            if (trainingEvent is PointsEvent logged)
            {
                // A script's batch is stored as it was sent: the ingest endpoint refused it if a (key, step) repeated.
                points.AddRange(logged.Points.Select(p => new MetricPoint
                {
                    RunId = runId, Key = p.Key, Step = p.Step, Epoch = p.Epoch ?? 0, Value = p.Value, Time = (p.Time ?? logged.Time).UtcDateTime,
                }));
                continue;
            }
            if (trainingEvent is not IStepMetrics { Step: var step, Epoch: var epoch, Metrics: var metrics }) continue;
            // The step event of this step is in this batch when one of the epoch's keys is; otherwise it may be stored
            // already. Any point at the step is no sign: an analysis or system event can share the step with other keys.
            if (trainingEvent is EpochEvent && !points.Any(p => p.Step == step && metrics.ContainsKey(p.Key)))
            {
                var keys = metrics.Keys.ToList();
                foreach (var stored in await context.MetricPoints.Where(p => p.RunId == runId && p.Step == step && keys.Contains(p.Key))
                             .Select(p => p.Key).ToListAsync(cancellationToken))
                    seen.Add((stored, step));
            }
            foreach (var (key, value) in metrics)
            {
                if (!seen.Add((key, step))) continue;
                points.Add(new MetricPoint { RunId = runId, Key = key, Step = step, Epoch = epoch, Value = value, Time = trainingEvent.Time.UtcDateTime });
            }
        }
        return points;
    }

    private const string InsertEvent = """INSERT INTO "RunEvents" ("RunId", "Seq", "Type", "Payload", "Time") """;

    private static void InsertToSqlite(DbConnection connection, List<RunEvent> rows)
    {
        using var insert = new SqliteRowWriter(connection, InsertEvent + "VALUES (?1, ?2, ?3, ?4, ?5);");
        foreach (var row in rows)
        {
            insert.Bind(1, row.RunId);
            insert.Bind(2, row.Seq);
            insert.Bind(3, row.Type);
            insert.Bind(4, row.Payload);
            insert.Bind(5, row.Time);
            insert.Execute();
        }
    }

    private static async Task InsertToPostgresAsync(DbConnection connection, DbTransaction transaction, List<RunEvent> rows, CancellationToken cancellationToken)
    {
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = InsertEvent + "SELECT * FROM unnest(@run, @seq, @type, @payload, @time);";
        void Add(string name, object value)
        {
            var parameter = insert.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            insert.Parameters.Add(parameter);
        }
        Add("run", rows.Select(r => r.RunId).ToArray());
        Add("seq", rows.Select(r => r.Seq).ToArray());
        Add("type", rows.Select(r => r.Type).ToArray());
        Add("payload", rows.Select(r => r.Payload).ToArray());
        Add("time", rows.Select(r => r.Time).ToArray());
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }
}
