using LiteDB;
using Tracker.Shared;

namespace Tracker.Worker;

/// <summary>
/// The worker's durable outbox (LiteDB, one file): every event a child process reports is written here before it is
/// sent, and deleted only when the server has acknowledged its sequence. Cut off from the server, the worker keeps
/// training and the events pile up here, up to <see cref="MaxBytes"/>; then <see cref="AppendAsync"/> waits for room,
/// which stops the worker reading the child's stdout, so the child waits too (back-pressure, nothing dropped).
/// Events are kept per run in sequence order, so a backlog is sent in order when the server is back.
/// Appended events are written in groups, one LiteDB transaction each (a transaction per event held a worker to about
/// 600 events/s, decision 0073): before anything reads the outbox (<see cref="Pending"/>, so nothing is sent unwritten),
/// when <see cref="WriteGroup"/> events wait, and on <see cref="Dispose"/>. What each run holds (sequence and size) is
/// also kept in memory, so appending, counting and acknowledging need no reads.
/// </summary>
public sealed class Outbox : IDisposable
{
    /// <summary>Appended events held in memory at most before they are written, whether or not anyone reads.</summary>
    public const int WriteGroup = 1000;

    private readonly LiteDatabase _database;
    private readonly ILiteCollection<OutboxEntry> _events;
    private readonly Lock _gate = new();
    // Every event the outbox holds, written or not: run -> sequence -> JSON length.
    private readonly SortedDictionary<long, SortedDictionary<long, int>> _held = [];
    private readonly List<OutboxEntry> _unwritten = [];
    private bool _replacing;
    private long _bytes;
    private TaskCompletionSource _freed = NewSignal();
    private TaskCompletionSource _appended = NewSignal();

    /// <param name="path">The LiteDB file; made when missing.</param>
    /// <param name="maxBytes">How many bytes of event JSON may wait unacknowledged before appending waits.</param>
    public Outbox(string path, long maxBytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder) Directory.CreateDirectory(folder);
        MaxBytes = maxBytes;
        _database = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct });
        _events = _database.GetCollection<OutboxEntry>("events");
        foreach (var entry in _events.FindAll()) Hold(entry.RunId, entry.Seq, entry.Json.Length);
    }

    public long MaxBytes { get; }

    /// <summary>Bytes of event JSON waiting for an acknowledgement.</summary>
    public long PendingBytes
    {
        get { lock (_gate) return _bytes; }
    }

    /// <summary>Events waiting for an acknowledgement, of every run.</summary>
    public int PendingCount
    {
        get { lock (_gate) return _held.Values.Sum(held => held.Count); }
    }

    /// <summary>Completes when an event is appended after this was read: a sender waits on it instead of polling.</summary>
    public Task WhenAppended
    {
        get { lock (_gate) return _appended.Task; }
    }

    /// <summary>
    /// Takes the event into the outbox, written before anyone reads it. Waits while the outbox is full (a lone event
    /// larger than the bound still goes in, so a run never stalls on it). Appending a sequence the outbox holds already replaces it.
    /// </summary>
    public async ValueTask AppendAsync(long runId, TrainingEvent trainingEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trainingEvent);
        var entry = new OutboxEntry { Id = KeyOf(runId, trainingEvent.Seq), RunId = runId, Seq = trainingEvent.Seq, Json = TrainingEventJson.Serialize(trainingEvent) };
        while (true)
        {
            Task freed;
            lock (_gate)
            {
                if (_held.Count == 0 || _bytes + entry.Json.Length <= MaxBytes)
                {
                    if (Hold(runId, entry.Seq, entry.Json.Length))
                    {
                        // Replaced before it was written, or replacing a written one: the group's write must update, not insert.
                        _unwritten.RemoveAll(e => e.Id == entry.Id);
                        _replacing = true;
                    }
                    _unwritten.Add(entry);
                    if (_unwritten.Count >= WriteGroup) WriteUnwritten();
                    var appended = _appended;
                    _appended = NewSignal();
                    appended.TrySetResult();
                    return;
                }
                freed = _freed.Task;
            }
            await freed.WaitAsync(cancellationToken);
        }
    }

    /// <summary>The run's waiting events in sequence order, at most <paramref name="limit"/>, as the JSON lines they were written as.</summary>
    public IReadOnlyList<PendingEvent> Pending(long runId, int limit)
    {
        lock (_gate)
        {
            WriteUnwritten();
            return _events.Query().Where(OfRun(runId, long.MaxValue)).OrderBy(IdOrder).Limit(limit).ToList()
                .Select(e => new PendingEvent(e.Seq, e.Json)).ToList();
        }
    }

    /// <summary>How many of the run's events wait for an acknowledgement.</summary>
    public int PendingCountOf(long runId)
    {
        lock (_gate) return _held.TryGetValue(runId, out var held) ? held.Count : 0;
    }

    /// <summary>The runs that have events waiting.</summary>
    public IReadOnlyList<long> Runs()
    {
        lock (_gate) return _held.Keys.ToList();
    }

    /// <summary>The server stored the run's events up to <paramref name="ackedSeq"/>: they are deleted and their room freed. Returns how many.</summary>
    public int Acknowledge(long runId, long ackedSeq) => Delete(runId, ackedSeq);

    /// <summary>Forgets every waiting event of the run (a lease lost: the run resumes elsewhere from its last stored checkpoint).</summary>
    public int Discard(long runId) => Delete(runId, long.MaxValue);

    /// <summary>Deletes the run's events up to <paramref name="lastSeq"/>, in one transaction.</summary>
    private int Delete(long runId, long lastSeq)
    {
        lock (_gate)
        {
            if (!_held.TryGetValue(runId, out var held)) return 0;
            var gone = held.TakeWhile(e => e.Key <= lastSeq).ToList();
            if (gone.Count == 0) return 0;
            WriteUnwritten();
            _events.DeleteMany(OfRun(runId, lastSeq));
            foreach (var (seq, length) in gone)
            {
                held.Remove(seq);
                _bytes -= length;
            }
            if (held.Count == 0) _held.Remove(runId);
            var freed = _freed;
            _freed = NewSignal();
            freed.TrySetResult();
            return gone.Count;
        }
    }

    /// <summary>Counts an event in, under the gate; true when it replaces one of the same sequence.</summary>
    private bool Hold(long runId, long seq, int length)
    {
        if (!_held.TryGetValue(runId, out var held)) _held[runId] = held = [];
        var replacing = held.TryGetValue(seq, out var replaced);
        if (replacing) _bytes -= replaced;
        held[seq] = length;
        _bytes += length;
        return replacing;
    }

    /// <summary>Writes the appended events in one transaction, under the gate: inserted, or upserted when one may replace a written one.</summary>
    private void WriteUnwritten()
    {
        if (_unwritten.Count == 0) return;
        // An upsert first looks each key up to update it: nearly half the write's time for events that are all new.
        if (_replacing) _events.Upsert(_unwritten);
        else _events.InsertBulk(_unwritten, _unwritten.Count);
        _unwritten.Clear();
        _replacing = false;
    }

    /// <summary>The run's events up to <paramref name="lastSeq"/>: a range of the primary key, which sorts by run, then sequence.</summary>
    private static BsonExpression OfRun(long runId, long lastSeq) => Query.Between("_id", KeyOf(runId, 0), KeyOf(runId, lastSeq));

    private static readonly BsonExpression IdOrder = BsonExpression.Create("_id");

    /// <summary>Sorts by run, then sequence, as text.</summary>
    private static string KeyOf(long runId, long seq) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{runId:D19}:{seq:D19}");

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Dispose()
    {
        lock (_gate) WriteUnwritten();
        _database.Dispose();
    }

    /// <summary>One stored event. Public with setters for LiteDB's mapper.</summary>
    public sealed class OutboxEntry
    {
        public string Id { get; set; } = "";
        public long RunId { get; set; }
        public long Seq { get; set; }
        public string Json { get; set; } = "";
    }
}

/// <summary>An event waiting in the outbox: its sequence and its JSON line.</summary>
public sealed record PendingEvent(long Seq, string Json);
