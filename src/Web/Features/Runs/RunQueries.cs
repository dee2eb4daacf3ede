using System.Linq.Expressions;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Features.Ingest;

namespace Tracker.Web.Features.Runs;

/// <summary>How a run list is sorted.</summary>
public enum RunSort
{
    Created,
    Name,
    Status,
    ValAcc,
    Project,
    Model,
    Method,
}

/// <summary>Whether a run list shows archived runs: not by default, along with the others, or only them.</summary>
public enum ArchivedRuns
{
    Hide,
    Include,
    Only,
}

/// <summary>
/// Which runs a list shows and in what order; <see cref="Page"/> counts from 1. <see cref="Filter"/> is a compiled
/// filter-language query (<see cref="Filtering.RunFilter"/>), applied on top of the quick filters.
/// </summary>
public sealed record RunListQuery(
    string? Project, RunStatus? Status, string? Tag, string? Method, RunSort Sort, bool Descending, int Page, int PageSize,
    Expression<Func<Run, bool>>? Filter = null, ArchivedRuns Archived = ArchivedRuns.Hide);

/// <summary>The distinct values the quick filters offer, from the database.</summary>
public sealed record RunFacets(IReadOnlyList<string> Projects, IReadOnlyList<string> Tags, IReadOnlyList<string> Methods);

/// <summary>The reads behind the runs endpoints, as single queries the database can answer from its indexes.</summary>
public static class RunQueries
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    public static async Task<RunPage> ListAsync(TrackerDbContext context, RunListQuery query, CancellationToken cancellationToken)
    {
        var runs = Matching(context, query);
        var total = await runs.CountAsync(cancellationToken);

        // Only the listed columns: the entity would bring the config JSON of every row, parsed for nothing.
        var rows = runs.Select(r => new
        {
            Run = new { r.Id, r.Name, r.Model, r.Dataset, r.Method, r.Status, r.Tags, r.Progress, r.EpochsCompleted, r.Epochs, r.CreatedAt, r.StartedAt, r.FinishedAt, r.Owner, r.LoggedByScript, r.ArchivedAt, r.Seed },
            ProjectName = r.Project!.Name,
            BestValAcc = context.RunSummaries.Where(s => s.RunId == r.Id && s.Key == MetricKeys.ValAcc).Select(s => (double?)s.Max).FirstOrDefault(),
            BestValLoss = context.RunSummaries.Where(s => s.RunId == r.Id && s.Key == MetricKeys.ValLoss).Select(s => (double?)s.Min).FirstOrDefault(),
        });
        // Id breaks ties so pages never overlap; runs without a val/acc go last either way (the providers disagree on where NULL sorts).
        var ordered = (query.Sort, query.Descending) switch
        {
            (RunSort.Name, false) => rows.OrderBy(x => x.Run.Name).ThenBy(x => x.Run.Id),
            (RunSort.Name, true) => rows.OrderByDescending(x => x.Run.Name).ThenByDescending(x => x.Run.Id),
            (RunSort.Status, false) => rows.OrderBy(x => x.Run.Status).ThenBy(x => x.Run.Id),
            (RunSort.Status, true) => rows.OrderByDescending(x => x.Run.Status).ThenByDescending(x => x.Run.Id),
            (RunSort.ValAcc, false) => rows.OrderBy(x => x.BestValAcc == null).ThenBy(x => x.BestValAcc).ThenBy(x => x.Run.Id),
            (RunSort.ValAcc, true) => rows.OrderBy(x => x.BestValAcc == null).ThenByDescending(x => x.BestValAcc).ThenByDescending(x => x.Run.Id),
            (RunSort.Project, false) => rows.OrderBy(x => x.ProjectName).ThenBy(x => x.Run.Id),
            (RunSort.Project, true) => rows.OrderByDescending(x => x.ProjectName).ThenByDescending(x => x.Run.Id),
            (RunSort.Model, false) => rows.OrderBy(x => x.Run.Model).ThenBy(x => x.Run.Id),
            (RunSort.Model, true) => rows.OrderByDescending(x => x.Run.Model).ThenByDescending(x => x.Run.Id),
            (RunSort.Method, false) => rows.OrderBy(x => x.Run.Method).ThenBy(x => x.Run.Id),
            (RunSort.Method, true) => rows.OrderByDescending(x => x.Run.Method).ThenByDescending(x => x.Run.Id),
            (_, false) => rows.OrderBy(x => x.Run.CreatedAt).ThenBy(x => x.Run.Id),
            (_, true) => rows.OrderByDescending(x => x.Run.CreatedAt).ThenByDescending(x => x.Run.Id),
        };
        var page = await ordered.Skip((query.Page - 1) * query.PageSize).Take(query.PageSize).ToListAsync(cancellationToken);
        var items = page.Select(x => new RunListItem(
            x.Run.Id, x.Run.Name, x.ProjectName, x.Run.Model, x.Run.Dataset, x.Run.Method, x.Run.Status, x.Run.Tags,
            x.Run.Progress, x.Run.EpochsCompleted, x.Run.Epochs, x.Run.CreatedAt, x.Run.StartedAt, x.Run.FinishedAt,
            x.BestValAcc, x.BestValLoss, x.Run.Owner, x.Run.LoggedByScript, x.Run.ArchivedAt,
            // A script's run has no queue config, so no seed of the tracker's.
            x.Run.LoggedByScript ? null : x.Run.Seed)).ToList();
        return new RunPage(items, total, query.Page, query.PageSize);
    }

    /// <summary>The runs a list's filters select (paging and order aside).</summary>
    public static IQueryable<Run> Matching(TrackerDbContext context, RunListQuery query)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(query);
        // Runs in the trash never get here (the model's query filter); archived ones only when asked for.
        var runs = query.Archived switch
        {
            ArchivedRuns.Include => context.Runs.AsNoTracking(),
            ArchivedRuns.Only => context.Runs.AsNoTracking().Where(r => r.ArchivedAt != null),
            _ => context.Runs.AsNoTracking().Where(r => r.ArchivedAt == null),
        };
        if (!string.IsNullOrEmpty(query.Project)) runs = runs.Where(r => r.Project!.Name == query.Project);
        if (query.Status is { } status) runs = runs.Where(r => r.Status == status);
        if (!string.IsNullOrEmpty(query.Tag)) runs = runs.Where(r => r.Tags.Contains(query.Tag));
        if (!string.IsNullOrEmpty(query.Method)) runs = runs.Where(r => r.Method == query.Method);
        if (query.Filter is { } filter) runs = runs.Where(filter);
        return runs;
    }

    /// <summary>
    /// The list filters as the API's query parameters give them, checked: the query with its filters (sorted by creation,
    /// first page), or the parameter at fault and why.
    /// </summary>
    public static (RunListQuery? Query, string? Field, string? Problem) ParseFilters(
        string? project, string? status, string? tag, string? method, string? q, string? archived)
    {
        var archivedFilter = ArchivedRuns.Hide;
        if (!string.IsNullOrEmpty(archived) && (!Enum.TryParse(archived, ignoreCase: true, out archivedFilter) || !Enum.IsDefined(archivedFilter)
                                                || int.TryParse(archived, out _)))
            return (null, "archived", $"Unknown archived '{archived}'. Use one of: {Names<ArchivedRuns>()}.");
        RunStatus? statusFilter = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (!Enum.TryParse<RunStatus>(status, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(status, out _))
                return (null, "status", $"Unknown status '{status}'. Use one of: {Names<RunStatus>()}.");
            statusFilter = parsed;
        }
        if (!Filtering.RunFilter.TryCompile(q, out var filter, out var filterError)) return (null, "q", filterError.Message);
        return (new RunListQuery(project, statusFilter, tag, method, RunSort.Created, Descending: true, Page: 1, DefaultPageSize, filter, archivedFilter), null, null);
    }

    public static string Names<T>() where T : struct, Enum =>
        string.Join(", ", Enum.GetNames<T>().Select(n => char.ToLowerInvariant(n[0]) + n[1..]));

    /// <summary>The projects, tags and methods that runs have, sorted ignoring case, for the quick filters.</summary>
    public static async Task<RunFacets> FacetsAsync(TrackerDbContext context, CancellationToken cancellationToken)
    {
        var projects = await context.Projects.AsNoTracking().Select(p => p.Name).ToListAsync(cancellationToken);
        var methods = await context.Runs.AsNoTracking().Select(r => r.Method).Distinct().ToListAsync(cancellationToken);
        // EF cannot flatten a primitive collection on SQLite (it needs APPLY), so each provider's own unnesting, no input in it.
        var tags = await context.Database.SqlQueryRaw<string>(context.Database.IsSqlite()
                ? """SELECT DISTINCT t."value" AS "Value" FROM "Runs" AS r, json_each(r."Tags") AS t WHERE r."DeletedAt" IS NULL"""
                : """SELECT DISTINCT unnest(r."Tags") AS "Value" FROM "Runs" AS r WHERE r."DeletedAt" IS NULL""")
            .ToListAsync(cancellationToken);
        return new RunFacets(Sorted(projects), Sorted(tags), Sorted(methods));
    }

    private static List<string> Sorted(IEnumerable<string> values) =>
        values.Order(StringComparer.OrdinalIgnoreCase).ThenBy(v => v, StringComparer.Ordinal).ToList();

    public static async Task<RunDetail?> FindAsync(TrackerDbContext context, long runId, CancellationToken cancellationToken)
    {
        var run = await context.Runs.AsNoTracking().Include(r => r.Project).FirstOrDefaultAsync(r => r.Id == runId, cancellationToken);
        if (run is null) return null;
        var summaries = await context.RunSummaries.AsNoTracking().Where(s => s.RunId == runId).OrderBy(s => s.Key).ToListAsync(cancellationToken);
        return new RunDetail(
            run.Id, run.Name, run.Project!.Name, run.Method, run.Status, run.Owner, run.Tags, run.Config,
            run.Progress, run.EpochsCompleted, run.CreatedAt, run.StartedAt, run.FinishedAt, run.Error, run.Notes, run.ParentRunId,
            summaries.ToDictionary(s => s.Key, s => new MetricSummary(s.Last, s.LastStep, s.Min, s.Max, s.Count)),
            run.LoggedByScript, run.ScriptConfig is null ? null : JsonNode.Parse(run.ScriptConfig) as JsonObject,
            run.LoggedByScript ? ScriptConfigs.Queueable(run.Id, run.ScriptConfig, run.Name, run.Project.Name, run.Tags).Problem : null,
            run.ArchivedAt);
    }

    /// <summary>
    /// The config a run was queued with (what /runs/new?from= pre-fills), or null for an unknown run; for a run logged by
    /// a script, its config when that is a whole run config the queue can train, or else why not.
    /// </summary>
    public static async Task<(RunConfig? Config, string? Problem)> ConfigAsync(TrackerDbContext context, long runId, CancellationToken cancellationToken)
    {
        var run = await context.Runs.AsNoTracking().Where(r => r.Id == runId)
            .Select(r => new { r.Config, r.LoggedByScript, r.ScriptConfig, r.Name, Project = r.Project!.Name, r.Tags }).FirstOrDefaultAsync(cancellationToken);
        if (run is null) return (null, $"There is no run {runId}.");
        return run.LoggedByScript ? ScriptConfigs.Queueable(runId, run.ScriptConfig, run.Name, run.Project, run.Tags) : (run.Config, null);
    }

    public static Task<RunStatus?> StatusAsync(TrackerDbContext context, long runId, CancellationToken cancellationToken) =>
        context.Runs.Where(r => r.Id == runId).Select(r => (RunStatus?)r.Status).FirstOrDefaultAsync(cancellationToken);

    /// <summary>The owners of the given runs (runs from before accounts map to null); unknown ids are left out.</summary>
    public static async Task<IReadOnlyDictionary<long, string?>> OwnersAsync(TrackerDbContext context, IReadOnlyCollection<long> runIds,
        CancellationToken cancellationToken) =>
        await context.Runs.AsNoTracking().Where(r => runIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id, r => r.Owner, cancellationToken);

    /// <summary>A run's owner (null: submitted before accounts), or null when there is no such run.</summary>
    public static Task<RunOwner?> OwnerAsync(TrackerDbContext context, long runId, CancellationToken cancellationToken) =>
        context.Runs.AsNoTracking().Where(r => r.Id == runId).Select(r => new RunOwner(r.Owner)).FirstOrDefaultAsync(cancellationToken);
}

/// <summary>Who submitted a run; <see cref="Owner"/> is null for runs from before accounts (only admins change those).</summary>
public sealed record RunOwner(string? Owner);
