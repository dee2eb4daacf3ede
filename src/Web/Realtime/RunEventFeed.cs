using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Tracker.Shared;
using Tracker.Web.Data;

namespace Tracker.Web.Realtime;

/// <summary>
/// This app instance's live stream of stored events: each run's events are announced once, in sequence order, and
/// only after they are stored, whether this instance stored them (the event sink, the queue) or another one did (a
/// PostgreSQL notification). A client joining with the last sequence it saw gets the stored events after it and then
/// the live ones, without a gap or a duplicate: the replay and the group join happen under the same per-run gate
/// that every publication takes, so no event can fall between them or arrive both ways.
/// </summary>
public sealed class RunEventFeed(RunEventPublisher publisher, RunEventStore store, IHubContext<RunsHub, IRunsClient> hub, ILogger<RunEventFeed> logger)
{
    /// <summary>How many stored events a replay reads at a time.</summary>
    private const int ReplayPage = 1000;

    private readonly ConcurrentDictionary<long, RunCursor> _cursors = new();

    /// <summary>Where this instance's announcements of one run stand.</summary>
    private sealed class RunCursor
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);
        /// <summary>The last sequence announced here; null until this instance has seen the run.</summary>
        public long? Announced { get; set; }
    }

    /// <summary>A run (re)starts here with <paramref name="storedSeq"/> stored: announcements continue after it.</summary>
    public async Task StartAsync(long runId, long storedSeq)
    {
        var cursor = _cursors.GetOrAdd(runId, _ => new RunCursor());
        await cursor.Gate.WaitAsync();
        try
        {
            cursor.Announced = Math.Max(cursor.Announced ?? storedSeq, storedSeq);
        }
        finally
        {
            cursor.Gate.Release();
        }
    }

    /// <summary>
    /// Announces events this instance has just committed. Those announced already are skipped; a gap before them
    /// (events another writer committed) is read from the database first.
    /// </summary>
    public Task AnnounceStoredAsync(long runId, IReadOnlyList<TrainingEvent> stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return stored.Count == 0 ? Task.CompletedTask : CatchUpAsync(runId, stored[0].Seq, stored[^1].Seq, stored);
    }

    /// <summary>Another instance committed the run's events <paramref name="firstSeq"/> to <paramref name="lastSeq"/>: announce them here.</summary>
    public Task AnnounceCommittedAsync(long runId, long firstSeq, long lastSeq) => CatchUpAsync(runId, firstSeq, lastSeq, []);

    /// <summary>
    /// Sends the run's stored events after <paramref name="afterSeq"/> to one connection, then makes it a member of the
    /// run's group; everything announced later reaches it live.
    /// </summary>
    public async Task JoinAsync(string connectionId, long runId, long afterSeq, CancellationToken cancellationToken = default)
    {
        var cursor = _cursors.GetOrAdd(runId, _ => new RunCursor());
        await cursor.Gate.WaitAsync(cancellationToken);
        try
        {
            // A run this instance has not announced yet: what is stored now is the history, later commits come live.
            cursor.Announced ??= await store.StoredSeqAsync(runId, cancellationToken) ?? 0;
            var upTo = cursor.Announced.Value;
            var from = afterSeq;
            while (from < upTo)
            {
                var page = await store.ReadAsync(runId, from, upTo, ReplayPage, cancellationToken);
                if (page.Count == 0) break;
                foreach (var trainingEvent in page) await publisher.SendToConnectionAsync(connectionId, runId, trainingEvent);
                from = page[^1].Seq;
            }
            await hub.Groups.AddToGroupAsync(connectionId, RunsHubRoutes.RunGroup(runId), cancellationToken);
        }
        finally
        {
            cursor.Gate.Release();
        }
    }

    private async Task CatchUpAsync(long runId, long firstSeq, long lastSeq, IReadOnlyList<TrainingEvent> inHand)
    {
        var cursor = _cursors.GetOrAdd(runId, _ => new RunCursor());
        var finished = false;
        await cursor.Gate.WaitAsync();
        try
        {
            var announced = cursor.Announced ?? firstSeq - 1;
            if (lastSeq <= announced) return;
            IReadOnlyList<TrainingEvent> events = inHand.Count > 0 && inHand[0].Seq <= announced + 1
                ? inHand
                : await store.ReadAsync(runId, announced, lastSeq);
            foreach (var trainingEvent in events)
            {
                if (trainingEvent.Seq <= announced) continue;
                try
                {
                    await publisher.PublishAsync(runId, trainingEvent);
                }
                catch (Exception error)
                {
                    // Live viewers missing an event must not stop the others; a client catches up by sequence.
                    logger.LogWarning(error, "Announcing event {Seq} of run {RunId} failed", trainingEvent.Seq, runId);
                }
                announced = trainingEvent.Seq;
                finished |= trainingEvent is RunFinishedEvent;
            }
            cursor.Announced = announced;
        }
        finally
        {
            cursor.Gate.Release();
        }
        // Nothing follows a finished event; a later join reads the history from the database.
        if (finished) _cursors.TryRemove(new KeyValuePair<long, RunCursor>(runId, cursor));
    }
}
