using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Jobs;
using Tracker.Web.Realtime;

namespace Tracker.Web.Features.Ingest;

/// <summary>What a create did: made the run, found the run its client key names, or found that key on another request.</summary>
public enum ScriptRunCreation
{
    Created,
    /// <summary>The owner made this run before with the same key and request (a retry after a lost answer, or a resumed script).</summary>
    Existing,
    /// <summary>The owner's key names a run made with another name, project or config.</summary>
    KeyTaken,
}

/// <summary>A create's answer: the run (made, or the one of the key), its status and the batch number it takes next.</summary>
public sealed record ScriptRunCreated(ScriptRunCreation Outcome, long Id, RunStatus Status, long NextSeq);

/// <summary>What appending a batch or finishing a run did, for the endpoint to answer.</summary>
public enum ScriptRunOutcome
{
    Done,
    NoSuchRun,
    NotYours,
    /// <summary>The run was queued, not logged by a script: only the trainer writes its events.</summary>
    NotAScriptRun,
    /// <summary>The run has finished; it takes no more points (or another final status).</summary>
    Finished,
}

/// <summary>
/// Runs a script logs itself (the Python client): made running without a job, fed batches of points through the one
/// write path of events (<see cref="RunEventStore"/>, each batch a <see cref="PointsEvent"/> whose sequence is the
/// client's batch number, so a resent batch is a no-op and a gap is refused), then announced like any stored event,
/// and finished with the run's status in the same transaction as the finished event (record, then announce).
/// </summary>
public sealed class ScriptRuns(
    IDbContextFactory<TrackerDbContext> contexts, RunEventStore store, RunEventFeed feed, RunCheckpoints runFolders, BatchOrder order,
    IOptions<IngestOptions> options, TimeProvider time)
{
    /// <summary>The folder under a run's folder that holds the files a script attached.</summary>
    public const string FilesFolder = "files";

    public IngestOptions Limits => options.Value;

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>
    /// Makes a running script run owned by <paramref name="owner"/>; the request is already checked. With a
    /// <paramref name="clientKey"/> the owner used before, nothing is made: the run of that key comes back
    /// (<see cref="ScriptRunCreation.Existing"/>) when the request names the same name, project and config, and
    /// <see cref="ScriptRunCreation.KeyTaken"/> when it does not. Tags are not compared: they may be edited on the run.
    /// </summary>
    public async Task<ScriptRunCreated> CreateAsync(string name, string project, IReadOnlyList<string> tags, JsonObject? config, string? owner,
        string? clientKey, CancellationToken cancellationToken)
    {
        config ??= [];
        if (clientKey is not null && await KeyedAsync(owner, clientKey, cancellationToken) is { } earlier) return earlier.Answer(name, project, config);

        var now = Now;
        var known = ScriptConfigs.Known(config, name, project, tags);
        var projectId = await Projects.GetOrCreateAsync(contexts, project, now, cancellationToken);
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var run = Run.FromConfig(known, await context.Projects.FirstAsync(p => p.Id == projectId, cancellationToken), now);
        run.Status = RunStatus.Running;
        run.StartedAt = now;
        run.Owner = owner;
        run.LoggedByScript = true;
        run.ScriptConfig = config.ToJsonString();
        run.ClientKey = clientKey;
        context.Runs.Add(run);
        try
        {
            await context.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException) when (clientKey is not null)
        {
            // Two creates with one key raced (a client's retry beside its first try): the unique index let one in.
            if (await KeyedAsync(owner, clientKey, cancellationToken) is { } winner) return winner.Answer(name, project, config);
            throw;
        }
        await feed.StartAsync(run.Id, storedSeq: 0);
        return new ScriptRunCreated(ScriptRunCreation.Created, run.Id, run.Status, NextSeq: 1);
    }

    /// <summary>What a keyed create compares with, and what it answers.</summary>
    private sealed record KeyedRun(long Id, string Name, string Project, string? ScriptConfig, RunStatus Status, long StoredSeq, bool Trashed)
    {
        // A key whose run is in the trash stays taken (the unique index still holds it) but never hands the run back.
        public ScriptRunCreated Answer(string name, string project, JsonObject config) =>
            !Trashed && Name == name && Project == project && JsonNode.DeepEquals(JsonNode.Parse(ScriptConfig ?? "{}"), config)
                ? new ScriptRunCreated(ScriptRunCreation.Existing, Id, Status, StoredSeq + 1)
                : new ScriptRunCreated(ScriptRunCreation.KeyTaken, Id, Status, StoredSeq + 1);
    }

    private async Task<KeyedRun?> KeyedAsync(string? owner, string clientKey, CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        return await context.Runs.AsNoTracking().IgnoreQueryFilters([Data.Configuration.RunConfiguration.TrashFilter])
            .Where(r => r.Owner == owner && r.ClientKey == clientKey)
            .Select(r => new KeyedRun(r.Id, r.Name, r.Project!.Name, r.ScriptConfig, r.Status, r.StoredSeq, r.DeletedAt != null))
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>Stores one checked batch and announces it; a batch stored before changes nothing.</summary>
    /// <exception cref="SequenceGapException">The batch does not follow the last one stored.</exception>
    public async Task<(ScriptRunOutcome Outcome, StoredBatch? Stored)> AppendAsync(long runId, Func<string?, bool> mayChange, long seq,
        IReadOnlyList<LoggedPoint> points, CancellationToken cancellationToken)
    {
        var run = await CheckAsync(runId, mayChange, cancellationToken);
        if (run.Outcome != ScriptRunOutcome.Done) return (run.Outcome, null);
        // A finished script run's last event is its finished event: older batches are resends, anything newer is too late.
        if (!run.Status.IsActive() && seq >= run.StoredSeq) return (ScriptRunOutcome.Finished, null);
        // Announced before the next batch's turn as well, so that live pages get the batches in order.
        using var turn = await order.WaitTurnAsync(runId, seq, run.StoredSeq, async token => await store.StoredSeqAsync(runId, token) ?? 0, cancellationToken);
        var stored = await store.StoreAsync(runId, [new PointsEvent { Seq = seq, Time = time.GetUtcNow(), Points = points }], cancellationToken);
        turn.Stored(stored.AckedSeq);
        await feed.AnnounceStoredAsync(runId, stored.Stored);
        return (ScriptRunOutcome.Done, stored);
    }

    /// <summary>
    /// Finishes a running script run with <paramref name="status"/>: its finished event (the summary from the stored
    /// points) takes the next sequence number, stored in one transaction with the run's status. Finishing again with
    /// the same status is a no-op; with another, <see cref="ScriptRunOutcome.Finished"/>.
    /// </summary>
    public async Task<(ScriptRunOutcome Outcome, RunStatus Status, long AckedSeq)> FinishAsync(long runId, Func<string?, bool> mayChange,
        RunOutcome status, string? error, CancellationToken cancellationToken)
    {
        if (await CheckAsync(runId, mayChange, cancellationToken) is { Outcome: not ScriptRunOutcome.Done } refused) return (refused.Outcome, refused.Status, 0);
        var wanted = RunStatuses.FromOutcome(status);
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken);
        var run = await context.Runs.FirstAsync(r => r.Id == runId, cancellationToken);
        if (!run.Status.IsActive())
            return (run.Status == wanted ? ScriptRunOutcome.Done : ScriptRunOutcome.Finished, run.Status, run.StoredSeq);

        var summaries = await context.RunSummaries.AsNoTracking().Where(s => s.RunId == runId).ToListAsync(cancellationToken);
        var finished = new RunFinishedEvent
        {
            Seq = run.StoredSeq + 1,
            Time = time.GetUtcNow(),
            Status = status,
            Summary = new RunOutcomeSummary
            {
                FinalMetrics = summaries.ToDictionary(s => s.Key, s => s.Last, StringComparer.Ordinal),
                BestMetrics = summaries.Where(s => MetricKeys.HasBest(s.Key))
                    .ToDictionary(s => s.Key, s => MetricKeys.HigherIsBetter(s.Key) ? s.Max : s.Min, StringComparer.Ordinal),
                EpochsCompleted = run.EpochsCompleted,
                Steps = summaries.Count == 0 ? 0 : summaries.Max(s => s.LastStep),
                Error = error,
            },
        };
        await RunEventStore.StoreInTransactionAsync(context, runId, [finished], cancellationToken);
        run.Status = wanted;
        run.FinishedAt = Now;
        run.Error = wanted == RunStatus.Succeeded ? null : error;
        run.Progress = RunStatuses.Progress(run.EpochsCompleted, run.Epochs, run.Status);
        run.StoredSeq = finished.Seq; // the store moved it with SQL; the tracked entity must not write the old value back
        await context.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await feed.AnnounceStoredAsync(runId, [finished]);
        return (ScriptRunOutcome.Done, wanted, finished.Seq);
    }

    /// <summary>Stores <paramref name="content"/> as the run's file <paramref name="name"/> (replacing one of that name); the name is checked.</summary>
    public async Task<(ScriptRunOutcome Outcome, long Bytes)> AttachAsync(long runId, Func<string?, bool> mayChange, string name, Stream content,
        CancellationToken cancellationToken)
    {
        if (await CheckAsync(runId, mayChange, cancellationToken) is { Outcome: not ScriptRunOutcome.Done } refused) return (refused.Outcome, 0);
        var folder = Path.Combine(runFolders.DirectoryOf(runId), FilesFolder);
        Directory.CreateDirectory(folder);
        // Written beside, then renamed: a reader never sees half a file, and a failed upload leaves the old one.
        var partial = Path.Combine(folder, $".{name}.{Guid.NewGuid():N}.partial");
        try
        {
            long bytes;
            await using (var file = File.Create(partial))
            {
                await content.CopyToAsync(file, cancellationToken);
                bytes = file.Length;
            }
            File.Move(partial, Path.Combine(folder, name), overwrite: true);
            return (ScriptRunOutcome.Done, bytes);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    /// <summary>The path of a run's attached file, or null when there is none.</summary>
    public string? FileOf(long runId, string name)
    {
        var path = Path.Combine(runFolders.DirectoryOf(runId), FilesFolder, name);
        return File.Exists(path) ? path : null;
    }

    /// <summary>The files attached to a run, by name.</summary>
    public IReadOnlyList<RunFile> FilesOf(long runId)
    {
        var folder = new DirectoryInfo(Path.Combine(runFolders.DirectoryOf(runId), FilesFolder));
        return folder.Exists
            ? folder.EnumerateFiles().Where(f => !f.Name.StartsWith('.')).OrderBy(f => f.Name, StringComparer.Ordinal).Select(f => new RunFile(f.Name, f.Length)).ToList()
            : [];
    }

    /// <summary>Whether the caller may feed the run (<see cref="ScriptRunOutcome.Done"/>) or why not, with the run's status and stored sequence.</summary>
    private sealed record RunCheck(ScriptRunOutcome Outcome, RunStatus Status, long StoredSeq);

    private async Task<RunCheck> CheckAsync(long runId, Func<string?, bool> mayChange, CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var run = await context.Runs.Where(r => r.Id == runId).Select(r => new { r.Owner, r.LoggedByScript, r.Status, r.StoredSeq }).FirstOrDefaultAsync(cancellationToken);
        if (run is null) return new RunCheck(ScriptRunOutcome.NoSuchRun, default, 0);
        var outcome = !mayChange(run.Owner) ? ScriptRunOutcome.NotYours : !run.LoggedByScript ? ScriptRunOutcome.NotAScriptRun : ScriptRunOutcome.Done;
        return new RunCheck(outcome, run.Status, run.StoredSeq);
    }

    /// <summary>The invariant text of a run id, for audit targets.</summary>
    public static string Target(long runId) => string.Create(CultureInfo.InvariantCulture, $"run {runId}");

    /// <summary>Options for the ingest bodies: the shared strict reader, and a missing required value is an error, not a zero.</summary>
    public static JsonSerializerOptions BodyOptions { get; } = new(TrackerJson.Options) { RespectRequiredConstructorParameters = true };
}
