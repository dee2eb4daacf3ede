using Microsoft.EntityFrameworkCore;
using Tracker.Web.Data;

namespace Tracker.Web.Jobs;

/// <summary>A job of the queue as the queue page shows it; <see cref="Running"/> when a worker holds its lease.</summary>
/// <param name="WorkerName">Who trains it, as people know it: a remote worker's name, or the server's own worker; null while queued.</param>
public sealed record QueueEntry(
    long RunId, string Name, string Project, string Method, string Model, RunStatus Status, bool Running, int Priority, int Attempts,
    string? LeaseOwner, DateTime? HeartbeatAt, DateTime EnqueuedAt, double Progress, int EpochsCompleted, int Epochs, string? WorkerName = null);

/// <summary>Where <see cref="QueueOrder.MoveAsync"/> moves a queued job.</summary>
public enum QueueMove
{
    Up,
    Down,
    Top,
}

/// <summary>The queue as people see and arrange it: the unfinished jobs in the order workers take them, and moves within it.</summary>
public sealed class QueueOrder(IDbContextFactory<TrackerDbContext> contexts)
{
    /// <summary>The order workers take jobs in: highest priority first, then the oldest; the id breaks ties.</summary>
    internal static IOrderedQueryable<Job> InClaimOrder(IQueryable<Job> jobs) =>
        jobs.OrderByDescending(j => j.Priority).ThenBy(j => j.EnqueuedAt).ThenBy(j => j.Id);

    /// <summary>
    /// The jobs not yet finished, in the order workers take them: running ones first, then the queued ones by
    /// priority (highest first) and age, which is the order <see cref="JobLeases.ClaimNextAsync"/> claims them in.
    /// </summary>
    public async Task<IReadOnlyList<QueueEntry>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await InClaimOrder(context.Jobs.AsNoTracking().Where(j => j.State != JobState.Finished))
            .Select(j => new
            {
                j.RunId, j.Run!.Name, Project = j.Run.Project!.Name, j.Run.Method, j.Run.Model, j.Run.Status, j.State, j.Priority,
                j.Attempts, j.LeaseOwner, j.HeartbeatAt, j.EnqueuedAt, j.Run.Progress, j.Run.EpochsCompleted, j.Run.Epochs,
            })
            .ToListAsync(cancellationToken);
        var workers = await context.Workers.AsNoTracking().Select(w => new { w.Id, w.Name }).ToListAsync(cancellationToken);
        var names = workers.ToDictionary(w => Worker.LeaseOwnerOf(w.Id), w => w.Name, StringComparer.Ordinal);
        // A lease id ("vm/14197/6bf1cb...") means nothing to people: name the remote worker, or say it is the server's own.
        string? WorkerName(string? owner) => owner is null ? null : names.GetValueOrDefault(owner) ?? "the server's own worker";
        // Running first; OrderBy is stable, so both parts keep the claim order.
        return rows.OrderBy(r => r.State == JobState.Leased ? 0 : 1).Select(r => new QueueEntry(
            r.RunId, r.Name, r.Project, r.Method, r.Model, r.Status, r.State == JobState.Leased, r.Priority, r.Attempts,
            r.LeaseOwner, r.HeartbeatAt, r.EnqueuedAt, r.Progress, r.EpochsCompleted, r.Epochs,
            r.State == JobState.Leased ? WorkerName(r.LeaseOwner) : null)).ToList();
    }

    /// <summary>
    /// Moves a queued job within the queued ones. Reordering rewrites the queued jobs' priorities to their new
    /// positions (the first gets the highest), so the claim order is exactly the order shown. False when the
    /// run has no queued job.
    /// </summary>
    public async Task<bool> MoveAsync(long runId, QueueMove move, CancellationToken cancellationToken = default)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken);
        var queued = await InClaimOrder(context.Jobs.Where(j => j.State == JobState.Queued)).ToListAsync(cancellationToken);
        var index = queued.FindIndex(j => j.RunId == runId);
        if (index < 0) return false;
        var job = queued[index];
        queued.RemoveAt(index);
        var target = move switch
        {
            QueueMove.Up => Math.Max(0, index - 1),
            QueueMove.Down => Math.Min(queued.Count, index + 1),
            QueueMove.Top => 0,
                        _ => throw new ArgumentOutOfRangeException(nameof(move), move, null),
        };
        queued.Insert(target, job);
        for (var position = 0; position < queued.Count; position++) queued[position].Priority = queued.Count - position;
        await context.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }
}
