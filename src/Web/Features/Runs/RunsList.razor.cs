using System.Linq.Expressions;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
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
    private readonly HashSet<long> _selected = [];
    private readonly List<IDisposable> _subscriptions = [];
    private List<RunListItem> _rows = [];
    private int _total;
    private bool _loading;
    private RunsListState? _loadedState;
    private Expression<Func<Run, bool>>? _loadedFilter;

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

    private int PageCount => Math.Max(1, (_total + RunsListState.PageSize - 1) / RunsListState.PageSize);

    // The URL is the state: a new one (filters, order or page) loads its page; the same one again loads nothing.
    protected override async Task OnParametersSetAsync()
    {
        if (State == _loadedState && ReferenceEquals(Filter, _loadedFilter)) return;
        await LoadAsync(State);
    }

    private async Task LoadAsync(RunsListState state)
    {
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
        _loadedFilter = Filter;
        FollowActiveRuns();
    }

    /// <summary>A click on the sorted column turns its order round; another column sorts ascending, Created newest first.</summary>
    private Task SortByAsync(RunSort sort) =>
        StateChanged.InvokeAsync(State with
        {
            Sort = sort,
            Descending = State.Sort == sort ? !State.Descending : sort == RunSort.Created,
            Page = 1,
        });

    private Task GoToPageAsync(int page) => StateChanged.InvokeAsync(State with { Page = page });

    private void FollowActiveRuns()
    {
        Unsubscribe();
        foreach (var row in _rows.Where(r => r.Status.IsActive()))
        {
            var id = row.Id;
            _subscriptions.Add(Notifier.Subscribe(id, trainingEvent => InvokeAsync(() =>
            {
                var index = _rows.FindIndex(r => r.Id == id);
                if (index < 0) return;
                _rows[index] = LiveRunRow.Apply(_rows[index], trainingEvent);
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

    private void Unsubscribe()
    {
        foreach (var subscription in _subscriptions) subscription.Dispose();
        _subscriptions.Clear();
    }

    public void Dispose() => Unsubscribe();
}
