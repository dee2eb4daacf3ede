using System.Linq.Expressions;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Radzen;
using Radzen.Blazor;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Realtime;

namespace Tracker.Web.Features.Runs;

/// <summary>
/// A page of runs, paged and sorted by the database, with a row per run (progress, epochs, best val accuracy), row
/// checkboxes and a Compare button. Rows of queued and running runs follow their runs through <see cref="RunNotifier"/>:
/// each event updates its row in memory (<see cref="LiveRunRow"/>), so watching costs no queries and a row moves the
/// moment the trainer reports, where a timer would re-query every viewer's page on every tick and still lag.
/// </summary>
public sealed partial class RunsList : IDisposable
{
    private static readonly Dictionary<string, RunSort> SortOfColumn = new()
    {
        [nameof(RunListItem.Name)] = RunSort.Name,
        [nameof(RunListItem.Project)] = RunSort.Project,
        [nameof(RunListItem.Model)] = RunSort.Model,
        [nameof(RunListItem.Method)] = RunSort.Method,
        [nameof(RunListItem.Status)] = RunSort.Status,
        [nameof(RunListItem.BestValAcc)] = RunSort.ValAcc,
        [nameof(RunListItem.Created)] = RunSort.Created,
    };

    private readonly HashSet<long> _selected = [];
    private readonly List<IDisposable> _subscriptions = [];
    private RadzenDataGrid<RunListItem>? _grid;
    // Null until the first load: the grid loads on its first render only while it has no data.
    private List<RunListItem>? _rows;
    private int _total;
    private bool _loading;
    private RunsListState? _initialState;
    private RunsListState? _loadedState;
    private bool _initialPageApplied;

    [Inject] private IDbContextFactory<TrackerDbContext> Contexts { get; set; } = default!;
    [Inject] private RunNotifier Notifier { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;

    /// <summary>Which runs to show, in what order and which page; the page keeps it in the URL.</summary>
    [Parameter, EditorRequired] public RunsListState State { get; set; } = new();

    /// <summary>The state's filter-language query, compiled; null for none. It changes only with <see cref="RunsListState.Query"/>.</summary>
    [Parameter] public Expression<Func<Run, bool>>? Filter { get; set; }

    /// <summary>Called when the user pages or sorts, with the state to put in the URL.</summary>
    [Parameter] public EventCallback<RunsListState> StateChanged { get; set; }

    private string CompareText => _selected.Count > 0 ? $"Compare ({_selected.Count})" : "Compare";

    protected override void OnInitialized() => _initialState = State;

    protected override async Task OnParametersSetAsync()
    {
        // New filters select other runs: back to the first page. Paging and sorting come from the grid itself.
        if (_grid is not null && _loadedState is not null && !State.SameRunsAs(_loadedState))
            await _grid.FirstPage(forceReload: true);
    }

    private async Task LoadAsync(LoadDataArgs args)
    {
        var top = args.Top is > 0 ? args.Top.Value : RunsListState.PageSize;
        // The grid's first load asks for page 1; a link to a later page moves the grid there, which loads it.
        if (!_initialPageApplied)
        {
            _initialPageApplied = true;
            if (State.Page > 1 && (args.Skip ?? 0) == 0 && _grid is not null)
            {
                await _grid.GoToPage(State.Page - 1);
                return;
            }
        }
        var sort = args.Sorts?.FirstOrDefault(s => s.SortOrder is not null && s.Property is not null && SortOfColumn.ContainsKey(s.Property));
        var state = State with
        {
            Sort = sort is null ? RunSort.Created : SortOfColumn[sort.Property!],
            Descending = sort is null || sort.SortOrder == SortOrder.Descending,
            Page = (args.Skip ?? 0) / top + 1,
        };

        _loading = true;
        try
        {
            await using var context = await Contexts.CreateDbContextAsync();
            var page = await RunQueries.ListAsync(context, state.ToListQuery(Filter), CancellationToken.None);
            _rows = [.. page.Items];
            _total = page.Total;
        }
        finally
        {
            _loading = false;
        }
        _loadedState = state;
        FollowActiveRuns();
        if (state != State) await StateChanged.InvokeAsync(state);
    }

    private void FollowActiveRuns()
    {
        Unsubscribe();
        foreach (var row in (_rows ?? []).Where(r => r.Status.IsActive()))
        {
            var id = row.Id;
            _subscriptions.Add(Notifier.Subscribe(id, trainingEvent => InvokeAsync(() =>
            {
                if (_rows is null) return;
                var index = _rows.FindIndex(r => r.Id == id);
                if (index < 0) return;
                // A new list, because the grid keeps its own copy of the rows until its data changes.
                var rows = _rows.ToList();
                rows[index] = LiveRunRow.Apply(rows[index], trainingEvent);
                _rows = rows;
                StateHasChanged();
            })));
        }
    }

    private void Toggle(long runId, bool selected)
    {
        if (selected) _selected.Add(runId);
        else _selected.Remove(runId);
    }

    private void ClearSelection() => _selected.Clear();

    private void Compare() =>
        Navigation.NavigateTo(AppUrls.CompareRuns(_selected.Order()));

    private SortOrder? SortOrderOf(RunSort sort) =>
        _initialState is { } initial && initial.Sort == sort ? (initial.Descending ? SortOrder.Descending : SortOrder.Ascending) : null;

    private void Unsubscribe()
    {
        foreach (var subscription in _subscriptions) subscription.Dispose();
        _subscriptions.Clear();
    }

    public void Dispose() => Unsubscribe();
}
