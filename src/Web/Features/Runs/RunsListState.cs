using System.Globalization;
using System.Linq.Expressions;
using Tracker.Web.Data;

namespace Tracker.Web.Features.Runs;

/// <summary>
/// Everything that decides what /runs shows, as its query string holds it, so a link reproduces the view:
/// <c>/runs?q=...&amp;project=...&amp;status=...&amp;tag=...&amp;method=...&amp;archived=include&amp;sort=name&amp;desc=false&amp;cols=metric:val/loss&amp;page=2</c>.
/// The default (archived runs left out, newest first, page 1) writes nothing.
/// </summary>
public sealed record RunsListState(
    string? Query = null, string? Project = null, RunStatus? Status = null, string? Tag = null, string? Method = null,
    RunSort Sort = RunSort.Created, bool Descending = true, int Page = 1, ArchivedRuns Archived = ArchivedRuns.Hide, string? Columns = null)
{
    /// <summary>The columns chosen beside the fixed ones (<see cref="Columns"/> is their ids, comma-separated, as the URL's <c>cols</c>).</summary>
    public IReadOnlyList<RunColumn> ColumnList => RunColumn.ParseList(Columns);

    /// <summary>This state with <paramref name="columns"/> chosen (none: null, so the URL leaves <c>cols</c> out).</summary>
    public RunsListState WithColumns(IEnumerable<RunColumn> columns)
    {
        var ids = string.Join(',', columns.Distinct().Take(RunColumn.MaxColumns).Select(c => c.Id));
        return this with { Columns = ids.Length == 0 ? null : ids };
    }

    public const int PageSize = 25;

    /// <summary>Reads the page's query parameters; values that do not parse fall back to the default.</summary>
    public static RunsListState FromQuery(string? q, string? project, string? status, string? tag, string? method, string? sort, string? desc, int? page,
        string? archived = null, string? columns = null)
    {
        RunSort? order = Enum.TryParse<RunSort>(sort, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(sort, out _) ? parsed : null;
        return new RunsListState(
            Blank(q), Blank(project),
            Enum.TryParse<RunStatus>(status, ignoreCase: true, out var s) && Enum.IsDefined(s) && !int.TryParse(status, out _) ? s : null,
            Blank(tag), Blank(method),
            order ?? RunSort.Created,
            // Newest first unless the URL says otherwise; a named column ascending unless it says desc.
            bool.TryParse(desc, out var descending) ? descending : order is null,
            page is > 0 ? page.Value : 1,
            Enum.TryParse<ArchivedRuns>(archived, ignoreCase: true, out var a) && Enum.IsDefined(a) && !int.TryParse(archived, out _) ? a : ArchivedRuns.Hide)
            .WithColumns(RunColumn.ParseList(columns));
    }

    /// <summary>True when the two states select the same runs (page and order aside).</summary>
    public bool SameRunsAs(RunsListState other) =>
        (Query, Project, Status, Tag, Method, Archived) == (other.Query, other.Project, other.Status, other.Tag, other.Method, other.Archived);

    /// <summary>The query string, without '?', omitting defaults; empty for the default view.</summary>
    public string ToQueryString(bool withPage = true)
    {
        var parts = new List<string>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value)) parts.Add($"{name}={Uri.EscapeDataString(value)}");
        }
        Add("q", Query);
        Add("project", Project);
        Add("status", Status?.ToString().ToLowerInvariant());
        Add("tag", Tag);
        Add("method", Method);
        Add("archived", Archived == ArchivedRuns.Hide ? null : Archived.ToString().ToLowerInvariant());
        if (Sort != RunSort.Created || !Descending)
        {
            Add("sort", char.ToLowerInvariant(Sort.ToString()[0]) + Sort.ToString()[1..]);
            Add("desc", Descending ? "true" : "false");
        }
        Add("cols", Columns);
        if (withPage && Page > 1) Add("page", Page.ToString(CultureInfo.InvariantCulture));
        return string.Join('&', parts);
    }

    public string ToUrl(bool withPage = true) => AppUrls.RunsWithQuery(ToQueryString(withPage));

    /// <summary>The list query for this state; <paramref name="filter"/> is <see cref="Query"/> compiled.</summary>
    public RunListQuery ToListQuery(Expression<Func<Run, bool>>? filter) =>
        new(Project, Status, Tag, Method, Sort, Descending, Page, PageSize, filter, Archived);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
