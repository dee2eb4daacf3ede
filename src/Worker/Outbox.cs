using LiteDB;
using Tracker.Shared;

namespace Tracker.Worker;

/// <summary>
/// The worker's durable outbox (LiteDB, one file): every event a child process reports is written here before it is
/// sent, and deleted only when the server has acknowledged its sequence. Cut off from the server, the worker keeps
/// training and the events pile up here, up to <see cref="MaxBytes"/>; then <see cref="AppendAsync"/> waits for room,
/// which stops the worker reading the child's stdout, so the child waits too (back-pressure, nothing dropped).
/// Events are kept per run in sequence order, so a backlog is sent in order when the server is back.
/// </summary>
public sealed class Outbox : IDisposable
{
    private readonly LiteDatabase _database;
    private readonly ILiteCollection<OutboxEntry> _events;
    private readonly Lock _gate = new();
    private long _bytes;
    private int _count;
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
        _events.EnsureIndex(e => e.RunId);
        foreach (var entry in _events.FindAll())
        {
            _bytes += entry.Json.Length;
            _count++;
        }
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
        get { lock (_gate) return _count; }
    }

    /// <summary>Completes when an event is appended after this was read: a sender waits on it instead of polling.</summary>
    public Task WhenAppended
    {
        get { lock (_gate) return _appended.Task; }
    }

    /// <summary>
    /// Writes the event before anyone sends it. Waits while the outbox is full (a lone event larger than the bound still
    /// goes in, so a run never stalls on it). Appending a sequence the outbox holds already replaces it.
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
                if (_count == 0 || _bytes + entry.Json.Length <= MaxBytes)
                {
                    var replaced = _events.FindById(entry.Id);
                    _events.Upsert(entry);
                    _bytes += entry.Json.Length - (replaced?.Json.Length ?? 0);
                    if (replaced is null) _count++;
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
            return _events.Query().Where(e => e.RunId == runId).OrderBy(e => e.Seq).Limit(limit).ToList()
                .Select(e => new PendingEvent(e.Seq, e.Json)).ToList();
    }

    /// <summary>The runs that have events waiting.</summary>
    public IReadOnlyList<long> Runs()
    {
        lock (_gate) return _events.FindAll().Select(e => e.RunId).Distinct().Order().ToList();
    }

    /// <summary>The server stored the run's events up to <paramref name="ackedSeq"/>: they are deleted and their room freed. Returns how many.</summary>
    public int Acknowledge(long runId, long ackedSeq) => Delete(e => e.RunId == runId && e.Seq <= ackedSeq);

    /// <summary>Forgets every waiting event of the run (a lease lost: the run resumes elsewhere from its last stored checkpoint).</summary>
    public int Discard(long runId) => Delete(e => e.RunId == runId);

    private int Delete(System.Linq.Expressions.Expression<Func<OutboxEntry, bool>> which)
    {
        lock (_gate)
        {
            var gone = _events.Find(which).ToList();
            if (gone.Count == 0) return 0;
            foreach (var entry in gone) _events.Delete(entry.Id);
            _bytes -= gone.Sum(e => (long)e.Json.Length);
            _count -= gone.Count;
            var freed = _freed;
            _freed = NewSignal();
            freed.TrySetResult();
            return gone.Count;
        }
    }

    /// <summary>Sorts by run, then sequence, as text.</summary>
    private static string KeyOf(long runId, long seq) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{runId:D19}:{seq:D19}");

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Dispose() => _database.Dispose();

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
