using Microsoft.EntityFrameworkCore;
using Tracker.Shared;
using Tracker.Web.Data;

namespace Tracker.Web.Features.Paper;

/// <summary>A succeeded run that can be fine-tuned from, as the fine-tune form lists it.</summary>
public sealed record FineTuneCandidate(long Id, string Name, string Method, string Model, string Dataset, int Seed, IReadOnlyList<string> Tags, double? FinalValAcc)
{
    public string Label => $"#{Id} {Method} · {Model} · {Dataset} · seed {Seed}" + (FinalValAcc is { } acc ? $" · {acc:F1}%" : "");
}

/// <summary>
/// The reads behind the paper page. Final metrics are the <see cref="Data.RunSummary"/> rows' last values (never a scan of
/// metric points), read in one query per list of runs.
/// </summary>
public static class PaperQueries
{
    /// <summary>Most candidates the fine-tune form lists, newest first.</summary>
    public const int MaxCandidates = 500;

    /// <summary>Every run carrying one of <paramref name="tags"/>, whatever its status (the tables and the missing-cell count filter).</summary>
    public static async Task<IReadOnlyList<PaperRun>> TaggedRunsAsync(TrackerDbContext context, IEnumerable<string> tags, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        // Listed columns only (the seed is a column): the config JSON is neither joined nor parsed.
        var runs = new Dictionary<long, (long Id, string Method, string Model, string Dataset, RunStatus Status, int Seed, List<string> Tags)>();
        foreach (var tag in tags.Distinct(StringComparer.Ordinal))
            foreach (var run in await context.Runs.AsNoTracking().Where(r => r.Tags.Contains(tag))
                         .Select(r => new { r.Id, r.Method, r.Model, r.Dataset, r.Status, r.Seed, r.Tags }).ToListAsync(cancellationToken))
                runs[run.Id] = (run.Id, run.Method, run.Model, run.Dataset, run.Status, run.Seed, run.Tags);
        var finals = await FinalsAsync(context, runs.Keys, cancellationToken);
        return runs.Values.OrderBy(r => r.Id).Select(r => new PaperRun(
            r.Id, r.Method, r.Model, r.Dataset, r.Status, r.Seed, r.Tags,
            finals.GetValueOrDefault((r.Id, MetricKeys.ValAcc)), finals.GetValueOrDefault((r.Id, MetricKeys.TrainLoss)))).ToList();
    }

    /// <summary>Every fine-tuned run (one with a parent) and its parent's method and model.</summary>
    public static async Task<IReadOnlyList<FineTunedRun>> FineTunedRunsAsync(TrackerDbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var runs = await context.Runs.AsNoTracking().Where(r => r.ParentRunId != null)
            .Select(r => new
            {
                r.Id, r.Status, r.Tags, r.Dataset, r.TrainSubset, ParentRunId = r.ParentRunId!.Value,
                ParentMethod = r.ParentRun!.Method, ParentModel = r.ParentRun.Model,
            }).ToListAsync(cancellationToken);
        var finals = await FinalsAsync(context, runs.Select(r => r.Id), cancellationToken);
        return runs.OrderBy(r => r.Id).Select(r => new FineTunedRun(
            r.Id, r.Status, r.Tags, r.Dataset, r.TrainSubset, r.ParentRunId, r.ParentMethod, r.ParentModel,
            finals.GetValueOrDefault((r.Id, MetricKeys.ValAcc)))).ToList();
    }

    /// <summary>Succeeded runs that were not themselves fine-tuned, newest first: what a fine-tune can start from.</summary>
    public static async Task<IReadOnlyList<FineTuneCandidate>> FineTuneCandidatesAsync(TrackerDbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var runs = await context.Runs.AsNoTracking().Where(r => r.Status == RunStatus.Succeeded && r.ParentRunId == null)
            .OrderByDescending(r => r.Id).Take(MaxCandidates)
            .Select(r => new { r.Id, r.Name, r.Method, r.Model, r.Dataset, r.Seed, r.Tags }).ToListAsync(cancellationToken);
        var finals = await FinalsAsync(context, runs.Select(r => r.Id), cancellationToken);
        return runs.Select(r => new FineTuneCandidate(r.Id, r.Name, r.Method, r.Model, r.Dataset, r.Seed, r.Tags,
            finals.GetValueOrDefault((r.Id, MetricKeys.ValAcc)))).ToList();
    }

    /// <summary>The configs of <paramref name="runIds"/> that succeeded, by id.</summary>
    public static async Task<Dictionary<long, RunConfig>> SucceededConfigsAsync(TrackerDbContext context, IReadOnlyCollection<long> runIds,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return await context.Runs.AsNoTracking().Where(r => runIds.Contains(r.Id) && r.Status == RunStatus.Succeeded)
            .ToDictionaryAsync(r => r.Id, r => r.Config, cancellationToken);
    }

    private static async Task<Dictionary<(long RunId, string Key), double?>> FinalsAsync(TrackerDbContext context, IEnumerable<long> runIds,
        CancellationToken cancellationToken)
    {
        var ids = runIds.ToList();
        if (ids.Count == 0) return [];
        var rows = await context.RunSummaries.AsNoTracking()
            .Where(s => ids.Contains(s.RunId) && (s.Key == MetricKeys.ValAcc || s.Key == MetricKeys.TrainLoss))
            .Select(s => new { s.RunId, s.Key, s.Last }).ToListAsync(cancellationToken);
        return rows.ToDictionary(s => (s.RunId, s.Key), s => (double?)s.Last);
    }
}
