using System.Linq.Expressions;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Tracker.Web.Features.Views;
using Tracker.Web.Data;
using Tracker.Web.Features.Runs.Filtering;

namespace Tracker.Web.Features.Runs;

/// <summary>
/// /runs: the filter box, quick filters and saved views over a <see cref="RunsList"/>. The URL's query string is
/// the whole state (<see cref="RunsListState"/>); every change navigates, so a copied link shows the same view.
/// </summary>
public sealed partial class RunsPage
{
    private const string Example = "model = vit-nano AND (method = \"early dropout\" OR method = \"early s.d.\") AND val/acc > 80";
    private static readonly RunStatus?[] Statuses = [.. Enum.GetValues<RunStatus>().Select(s => (RunStatus?)s)];

    // Archived runs are tidied away, not gone: the list leaves them out unless asked.
    private static readonly ArchivedChoice[] ArchivedChoices =
        [new("Not archived", ArchivedRuns.Hide), new("With archived", ArchivedRuns.Include), new("Archived only", ArchivedRuns.Only)];

    private sealed record ArchivedChoice(string Text, ArchivedRuns Value);

    private RunsListState _state = new();
    private string? _queryText;
    private string? _compiledQuery;
    private Expression<Func<Run, bool>>? _filter;
    private FilterError? _error;
    private RunFacets _facets = new([], [], []);
    private IReadOnlyList<SavedViewItem> _views = [];
    private string? _viewName;
    private string? _viewProblem;

    [Inject] private IDbContextFactory<TrackerDbContext> Contexts { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;

    [CascadingParameter] private Task<Microsoft.AspNetCore.Components.Authorization.AuthenticationState>? AuthenticationState { get; set; }

    /// <summary>Whose saved views the page lists and saves: each user keeps their own.</summary>
    private string? _owner;

    [SupplyParameterFromQuery(Name = "q")] public string? Q { get; set; }
    [SupplyParameterFromQuery(Name = "project")] public string? ProjectFilter { get; set; }
    [SupplyParameterFromQuery(Name = "status")] public string? StatusFilter { get; set; }
    [SupplyParameterFromQuery(Name = "tag")] public string? TagFilter { get; set; }
    [SupplyParameterFromQuery(Name = "method")] public string? MethodFilter { get; set; }
    [SupplyParameterFromQuery(Name = "archived")] public string? ArchivedFilter { get; set; }
    [SupplyParameterFromQuery(Name = "sort")] public string? SortParameter { get; set; }
    [SupplyParameterFromQuery(Name = "desc")] public string? Desc { get; set; }
    [SupplyParameterFromQuery(Name = "page")] public int? PageNumber { get; set; }
    [SupplyParameterFromQuery(Name = "cols")] public string? ColumnsParameter { get; set; }

    protected override async Task OnInitializedAsync()
    {
        if (AuthenticationState is not null) _owner = Tracker.Web.Security.TrackerClaims.NameOf((await AuthenticationState).User);
        await using var context = await Contexts.CreateDbContextAsync();
        _facets = await RunQueries.FacetsAsync(context, CancellationToken.None);
        _views = await SavedViews.ListAsync(context, _owner, CancellationToken.None);
    }

    protected override void OnParametersSet()
    {
        _state = RunsListState.FromQuery(Q, ProjectFilter, StatusFilter, TagFilter, MethodFilter, SortParameter, Desc, PageNumber, ArchivedFilter, ColumnsParameter);
        // Compiled once per query text, so the list sees a new filter only when the query changed.
        if (_compiledQuery != _state.Query || (_filter is null && _error is null && _state.Query is not null))
        {
            _compiledQuery = _state.Query;
            RunFilter.TryCompile(_state.Query, out _filter, out _error);
        }
        _queryText = _state.Query;
    }

    private Task ApplyQueryAsync() => NavigateAsync(_state with { Query = string.IsNullOrWhiteSpace(_queryText) ? null : _queryText.Trim(), Page = 1 });

    private Task NavigateAsync(RunsListState state)
    {
        if (state != _state) Navigation.NavigateTo(state.ToUrl(), replace: true);
        return Task.CompletedTask;
    }

    private async Task SaveViewAsync()
    {
        var query = _state.ToQueryString(withPage: false);
        _viewProblem = SavedViews.Problem(_viewName, query);
        if (_viewProblem is not null) return;
        await using var context = await Contexts.CreateDbContextAsync();
        await SavedViews.SaveAsync(context, _owner, _viewName!, query, DateTime.UtcNow, CancellationToken.None);
        _views = await SavedViews.ListAsync(context, _owner, CancellationToken.None);
        _viewName = null;
    }

    private async Task DeleteViewAsync(SavedViewItem view)
    {
        await using var context = await Contexts.CreateDbContextAsync();
        await SavedViews.DeleteAsync(context, _owner, view.Id, CancellationToken.None);
        _views = await SavedViews.ListAsync(context, _owner, CancellationToken.None);
    }
}
