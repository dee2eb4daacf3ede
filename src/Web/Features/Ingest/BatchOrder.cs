namespace Tracker.Web.Features.Ingest;

/// <summary>
/// Lets a client keep two batches of a run in flight (the Python client sends the next batch while the server stores
/// the one before; the server's parsing of one overlaps the storing of the other): batches of one run are stored one
/// at a time, and a batch that arrives before the one it follows waits for it, up to <see cref="Patience"/>. Then it
/// goes ahead anyway and the store refuses the gap as it always has (409 naming the batch expected). Waiters look at
/// the database's stored sequence now and then as well, for a batch another app instance stored.
/// </summary>
public sealed class BatchOrder
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan LookAgain = TimeSpan.FromMilliseconds(250);

    private readonly Dictionary<long, RunTurns> _runs = [];

    /// <summary>
    /// Waits until batch <paramref name="seq"/> of the run is next (the run's stored sequence, as read before
    /// (<paramref name="storedSeq"/>), read again (<paramref name="readStoredSeq"/>) or left by a batch stored here
    /// meanwhile, is seq - 1 or more) or patience runs out, and holds the run's turn until the returned turn is disposed.
    /// </summary>
    public async Task<Turn> WaitTurnAsync(long runId, long seq, long storedSeq, Func<CancellationToken, Task<long>> readStoredSeq,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(readStoredSeq);
        RunTurns turns;
        lock (_runs)
        {
            if (!_runs.TryGetValue(runId, out turns!)) _runs[runId] = turns = new RunTurns();
            turns.Users++;
        }
        try
        {
            turns.SawStored(storedSeq);
            var patience = DateTime.UtcNow + Patience;
            while (true)
            {
                await turns.Gate.WaitAsync(cancellationToken);
                // Taken before the check: a stored sequence seen after it (another waiter reads the database without
                // the gate) completes this task instead of slipping between the check and the wait.
                var stored = turns.Changed.Task;
                if (seq <= turns.Stored + 1 || DateTime.UtcNow >= patience) return new Turn(this, runId, turns);
                turns.Gate.Release();
                await Task.WhenAny(stored, Task.Delay(LookAgain, cancellationToken));
                cancellationToken.ThrowIfCancellationRequested();
                if (!stored.IsCompleted) turns.SawStored(await readStoredSeq(cancellationToken));
            }
        }
        catch
        {
            Leave(runId, turns);
            throw;
        }
    }

    private void Leave(long runId, RunTurns turns)
    {
        lock (_runs)
            if (--turns.Users == 0) _runs.Remove(runId);
    }

    internal sealed class RunTurns
    {
        private readonly Lock _lock = new();
        private long _stored;
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public SemaphoreSlim Gate { get; } = new(1, 1);

        /// <summary>Batches holding or waiting for a turn; the run's entry goes when none are left.</summary>
        public int Users { get; set; }

        public long Stored
        {
            get { lock (_lock) return _stored; }
        }

        /// <summary>Completes when a higher stored sequence is seen.</summary>
        public TaskCompletionSource Changed
        {
            get { lock (_lock) return _changed; }
        }

        /// <summary>A stored sequence read from the database, or acknowledged by a store here.</summary>
        public void SawStored(long storedSeq)
        {
            TaskCompletionSource changed;
            lock (_lock)
            {
                if (storedSeq <= _stored) return;
                _stored = storedSeq;
                changed = _changed;
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            changed.SetResult();
        }
    }

    /// <summary>A run's turn to store a batch; <see cref="Stored"/> tells the batches waiting behind it.</summary>
    public sealed class Turn : IDisposable
    {
        private readonly BatchOrder _order;
        private readonly long _runId;
        private readonly RunTurns _turns;
        private bool _disposed;

        internal Turn(BatchOrder order, long runId, RunTurns turns) => (_order, _runId, _turns) = (order, runId, turns);

        /// <summary>The run's stored sequence after this turn's store.</summary>
        public void Stored(long storedSeq) => _turns.SawStored(storedSeq);

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            _turns.Gate.Release();
            _order.Leave(_runId, _turns);
        }
    }
}
