using Microsoft.EntityFrameworkCore;
using Tracker.Shared;
using Tracker.Web.Data;

namespace Tracker.Web.Jobs;

/// <summary>What <see cref="RunSubmission.SubmitAsync"/> did: the new run's id, or why nothing was stored.</summary>
public sealed record SubmitResult(long? RunId, IReadOnlyList<FieldError> Errors)
{
    public bool Succeeded => RunId is not null;
}

/// <summary>A field error of the config at <paramref name="Index"/> of a sweep (-1: the sweep as a whole).</summary>
public sealed record SweepFieldError(int Index, FieldError Error);

/// <summary>What <see cref="RunSubmission.SubmitSweepAsync"/> did: the sweep and its run ids in config order, or why nothing was stored.</summary>
public sealed record SweepSubmitResult(string? SweepId, IReadOnlyList<long> RunIds, IReadOnlyList<SweepFieldError> Errors)
{
    public bool Succeeded => Errors.Count == 0;
}

/// <summary>
/// Puts runs in the queue: one run, a sweep (stored whole or not at all), a clone of a run with an edit, a retry.
/// A run and its job are always stored together, so a restart loses no queued work.
/// </summary>
public sealed class RunSubmission(IDbContextFactory<TrackerDbContext> contexts, TimeProvider time, DatasetRoots? datasetRoots = null)
{
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>Validates <paramref name="config"/>; when valid, stores a queued run and its job together.</summary>
    public async Task<SubmitResult> SubmitAsync(RunConfig config, int priority = 0, string? owner = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        var result = await SubmitSweepAsync([config], sweepId: null, priority, owner, cancellationToken);
        return new SubmitResult(result.RunIds.Count == 1 ? result.RunIds[0] : null, result.Errors.Select(e => e.Error).ToList());
    }

    /// <summary>
    /// Queues every config as one sweep, or none: when any config is invalid nothing is stored and the errors say
    /// which config (by index) is wrong. A null <paramref name="sweepId"/> with one config queues a plain run;
    /// otherwise a new sweep id is made when none is given.
    /// </summary>
    public async Task<SweepSubmitResult> SubmitSweepAsync(IReadOnlyList<RunConfig> configs, string? sweepId = null, int priority = 0,
        string? owner = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configs);
        var errors = configs.SelectMany((config, index) => RunConfigValidator.Validate(config).Select(error => new SweepFieldError(index, error))).ToList();
        if (datasetRoots is not null)
            errors.AddRange(configs.Select((config, index) => (Error: datasetRoots.Check(config), Index: index))
                .Where(e => e.Error is not null).Select(e => new SweepFieldError(e.Index, e.Error!)));
        if (configs.Count == 0) errors.Add(new SweepFieldError(-1, new FieldError("configs", "A sweep needs at least one run.")));
        if (errors.Count > 0) return new SweepSubmitResult(null, [], errors);
        if (configs.Count > 1) sweepId ??= NewSweepId();

        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var parentErrors = await FineTuneParents.CheckAsync(context, configs, cancellationToken);
        if (parentErrors.Count > 0) return new SweepSubmitResult(null, [], parentErrors);
        var now = Now;
        var projects = new Dictionary<string, Project>(StringComparer.Ordinal);
        var runs = new List<Run>(configs.Count);
        foreach (var config in configs)
        {
            if (!projects.TryGetValue(config.Project, out var project))
            {
                var projectId = await Projects.GetOrCreateAsync(contexts, config.Project, now, cancellationToken);
                projects[config.Project] = project = await context.Projects.FirstAsync(p => p.Id == projectId, cancellationToken);
            }
            var run = Run.FromConfig(config, project, now);
            run.Owner = owner;
            run.SweepId = sweepId;
            context.Runs.Add(run);
            context.Jobs.Add(new Job { Run = run, Priority = priority, State = JobState.Queued, EnqueuedAt = now });
            runs.Add(run);
        }
        // One SaveChanges is one transaction: no run is stored without its job, and a sweep is stored whole or not at all.
        await context.SaveChangesAsync(cancellationToken);
        return new SweepSubmitResult(sweepId, runs.Select(r => r.Id).ToList(), []);
    }

    /// <summary>A short random id, safe in a URL (<c>/sweeps/{id}</c>).</summary>
    private static string NewSweepId() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));

    /// <summary>A new queued run of <paramref name="runId"/>'s config changed by <paramref name="edit"/>.</summary>
    public async Task<SubmitResult> CloneAsync(long runId, Func<RunConfig, RunConfig> edit, int? priority = null, string? owner = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(edit);
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var source = await context.Runs.AsNoTracking().Where(r => r.Id == runId)
            .Select(r => new { r.Owner }).FirstOrDefaultAsync(cancellationToken);
        if (source is null) return new SubmitResult(null, [new FieldError("runId", $"There is no run {runId}.")]);
        // A script run goes into the queue only when the config it sent is a whole run config (RunQueries.ConfigAsync says).
        var (config, problem) = await Features.Runs.RunQueries.ConfigAsync(context, runId, cancellationToken);
        if (config is null) return new SubmitResult(null, [new FieldError("runId", problem!)]);
        var sourcePriority = await context.Jobs.Where(j => j.RunId == runId).Select(j => (int?)j.Priority).FirstOrDefaultAsync(cancellationToken);
        return await SubmitAsync(edit(config), priority ?? sourcePriority ?? 0, owner ?? source.Owner, cancellationToken);
    }

    /// <summary>Runs a failed, cancelled or diverged run's config again, as a new run.</summary>
    public async Task<SubmitResult> RetryAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using (var context = await contexts.CreateDbContextAsync(cancellationToken))
        {
            var status = await context.Runs.Where(r => r.Id == runId).Select(r => (RunStatus?)r.Status).FirstOrDefaultAsync(cancellationToken);
            if (status is null) return new SubmitResult(null, [new FieldError("runId", $"There is no run {runId}.")]);
            if (!status.Value.CanRetry())
                return new SubmitResult(null, [new FieldError("runId", $"Run {runId} is {status}; only failed, cancelled or diverged runs are retried.")]);
        }
        return await CloneAsync(runId, config => config, cancellationToken: cancellationToken);
    }
}
