using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Tracker.Web.Data;
using Tracker.Web.Features.Compare;

namespace Tracker.Web.Features.Runs;

/// <summary>What a bulk action does to each run it selects.</summary>
public enum BulkAction
{
    Tag,
    Untag,
    Cancel,
    Archive,
    Unarchive,
    Delete,
    /// <summary>Changes nothing: answers with the comparison of the selected runs.</summary>
    Compare,
}

/// <summary>
/// POST /api/runs/bulk: an action, and either the ticked runs (<see cref="Runs"/>) or every run a list filter selects
/// (<see cref="Filter"/>, the parameters of GET /api/runs); <see cref="Tag"/> for tag and untag.
/// </summary>
public sealed record BulkRunRequest(string? Action = null, IReadOnlyList<long>? Runs = null, BulkRunFilter? Filter = null, string? Tag = null);

/// <summary>The runs a bulk action applies to, as GET /api/runs filters them (archived runs left out unless asked for).</summary>
public sealed record BulkRunFilter(string? Q = null, string? Project = null, string? Status = null, string? Tag = null, string? Method = null,
    string? Archived = null);

/// <summary>What the action did to one run.</summary>
public sealed record BulkRunOutcome(long Id, RunActionOutcome Outcome, string? Problem = null);

/// <summary>
/// What a bulk action did: how many runs it selected, how many ended each way (<c>done</c>, <c>notYours</c>...), each run's
/// outcome, and for compare the comparison's URL.
/// </summary>
public sealed record BulkRunResult(BulkAction Action, int Selected, IReadOnlyDictionary<string, int> Outcomes, IReadOnlyList<BulkRunOutcome> Runs,
    string? CompareUrl = null);

/// <summary>A bulk request that cannot run: the field at fault (runs, filter.q, tag, action...) and why.</summary>
public sealed record BulkRunProblem(string Field, string Message);

/// <summary>
/// One act on many runs, each run through <see cref="RunActions"/> with its own permission check, so a bulk delete by a
/// member trashes their runs and reports the others as <see cref="RunActionOutcome.NotYours"/>. The request is checked
/// whole before any run is touched. Used by the API and by /runs.
/// </summary>
public sealed class RunBulkActions(IDbContextFactory<TrackerDbContext> contexts, RunActions actions)
{
    /// <summary>More runs at once than a page holds many times over; a larger selection is narrowed first.</summary>
    public const int MaxRuns = 1000;

    /// <summary>Checks <paramref name="request"/> and finds its runs; a problem names the field when it cannot run.</summary>
    public async Task<(BulkAction Action, IReadOnlyList<long> RunIds, BulkRunProblem? Problem)> SelectAsync(BulkRunRequest request,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var choices = RunQueries.Names<BulkAction>();
        if (string.IsNullOrWhiteSpace(request.Action))
            return (default, [], new("action", $"Say which action: one of {choices}."));
        if (!Enum.TryParse<BulkAction>(request.Action, ignoreCase: true, out var action) || !Enum.IsDefined(action) || int.TryParse(request.Action, out _))
            return (default, [], new("action", $"Unknown action '{request.Action}'. Use one of: {choices}."));
        if (action is BulkAction.Tag && RunAnnotations.ValidateTag(request.Tag, []) is { } tagProblem)
            return (action, [], new("tag", tagProblem));
        if (action is BulkAction.Untag && string.IsNullOrWhiteSpace(request.Tag))
            return (action, [], new("tag", "Name the tag to remove."));
        if ((request.Runs is null) == (request.Filter is null))
            return (action, [], new("runs", "Give either runs (the ids of the ticked runs) or filter (every run it selects), not both."));

        IReadOnlyList<long> ids;
        if (request.Runs is { } runs)
        {
            if (runs.Count == 0) return (action, [], new("runs", "Tick at least one run."));
            if (runs.Count > MaxRuns) return (action, [], new("runs", $"At most {MaxRuns} runs at once; this asks for {runs.Count}."));
            ids = runs.Distinct().ToList();
        }
        else
        {
            var filter = request.Filter!;
            var (query, field, problem) = RunQueries.ParseFilters(filter.Project, filter.Status, filter.Tag, filter.Method, filter.Q, filter.Archived);
            if (query is null) return (action, [], new($"filter.{field}", problem!));
            await using var context = await contexts.CreateDbContextAsync(cancellationToken);
            // One more than allowed tells a selection that is too large without reading all of it.
            ids = await RunQueries.Matching(context, query).OrderBy(r => r.Id).Select(r => r.Id).Take(MaxRuns + 1).ToListAsync(cancellationToken);
            if (ids.Count > MaxRuns) return (action, [], new("filter", $"The filter selects more than {MaxRuns} runs; narrow it, then apply the action."));
        }
        if (action is BulkAction.Compare && ids.Count > CompareQueries.MaxRuns)
            return (action, [], new(request.Runs is null ? "filter" : "runs", $"A comparison holds at most {CompareQueries.MaxRuns} runs; this selects {ids.Count}."));
        return (action, ids, null);
    }

    /// <summary>Checks the request, then applies its action to each selected run in turn.</summary>
    public async Task<(BulkRunResult? Result, BulkRunProblem? Problem)> ApplyAsync(BulkRunRequest request, ClaimsPrincipal user,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        var (action, ids, problem) = await SelectAsync(request, cancellationToken);
        if (problem is not null) return (null, problem);
        if (action is BulkAction.Compare)
        {
            // Reading needs no owner's say; runs that do not exist are listed by the comparison as missing.
            var shown = ids.Select(id => new BulkRunOutcome(id, RunActionOutcome.Done)).ToList();
            return (new BulkRunResult(action, ids.Count, Count(shown), shown, AppUrls.CompareRuns(ids)), null);
        }
        var outcomes = new List<BulkRunOutcome>(ids.Count);
        foreach (var id in ids)
        {
            var result = action switch
            {
                BulkAction.Tag => await actions.TagAsync(id, request.Tag, user, cancellationToken),
                BulkAction.Untag => await actions.UntagAsync(id, request.Tag, user, cancellationToken),
                BulkAction.Cancel => await actions.CancelAsync(id, user, cancellationToken),
                BulkAction.Archive => await actions.SetArchivedAsync(id, archived: true, user, cancellationToken),
                BulkAction.Unarchive => await actions.SetArchivedAsync(id, archived: false, user, cancellationToken),
                _ => await actions.DeleteAsync(id, user, cancellationToken),
            };
            outcomes.Add(new BulkRunOutcome(id, result.Outcome, result.Problem));
        }
        return (new BulkRunResult(action, ids.Count, Count(outcomes), outcomes), null);
    }

    private static Dictionary<string, int> Count(IEnumerable<BulkRunOutcome> outcomes) =>
        outcomes.GroupBy(o => o.Outcome).ToDictionary(g => char.ToLowerInvariant(g.Key.ToString()[0]) + g.Key.ToString()[1..], g => g.Count());
}
