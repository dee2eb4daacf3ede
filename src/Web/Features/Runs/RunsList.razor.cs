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
    [Inject] private RunBulkActions Bulk { get; set; } = default!;

    [CascadingParameter] private Task<Microsoft.AspNetCore.Components.Authorization.AuthenticationState>? AuthenticationState { get; set; }

    private System.Security.Claims.ClaimsPrincipal _user = new();
    private IReadOnlyList<RunColumn> _metricChoices = [];
    private IReadOnlyList<RunColumn> _columns = [];
    private IReadOnlyDictionary<long, string?[]> _columnValues = new Dictionary<long, string?[]>();
    private bool _allMatching;
    private string? _bulkTag;
    private BulkAction? _confirming;
    private string? _bulkMessage;
    private bool _bulkFailed;
    private bool _bulkBusy;

    /// <summary>Bulk actions change runs: members and admins (each run is still checked against its owner).</summary>
    private bool MayWrite => Tracker.Web.Security.AccessHandler.Allows(_user, Tracker.Web.Security.Access.Write);

    private bool BulkDisabled => _bulkBusy || !RendererInfo.IsInteractive || (_allMatching ? _total == 0 : _selected.Count == 0);

    private string ScopeText => _allMatching ? $"all {_total} matching runs" : $"the {_selected.Count} ticked runs";

    private string ColumnsText => _columns.Count == 0 ? "" : $"{_columns.Count} more";

    private string? ColumnValue(long runId, int column) =>
        _columnValues.TryGetValue(runId, out var values) && column < values.Length ? values[column] : null;

    /// <summary>Which runs to show, in what order and which page; the page keeps it in the URL.</summary>
    [Parameter, EditorRequired] public RunsListState State { get; set; } = new();

    /// <summary>The state's filter-language query, compiled; null for none. It changes only with <see cref="RunsListState.Query"/>.</summary>
    [Parameter] public Expression<Func<Run, bool>>? Filter { get; set; }

    /// <summary>Called when the user pages or sorts, with the state to put in the URL.</summary>
    [Parameter] public EventCallback<RunsListState> StateChanged { get; set; }

    private string CompareText => _selected.Count > 0 ? $"Compare ({_selected.Count})" : "Compare";

    private int PageCount => Math.Max(1, (_total + RunsListState.PageSize - 1) / RunsListState.PageSize);

    // The URL is the state: a new one (filters, order or page) loads its page; the same one again loads nothing.
    protected override async Task OnInitializedAsync()
    {
        if (AuthenticationState is not null) _user = (await AuthenticationState).User;
        await using var context = await Contexts.CreateDbContextAsync();
        _metricChoices = await RunColumns.MetricChoicesAsync(context, CancellationToken.None);
    }

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
            _columns = state.ColumnList;
            _columnValues = await RunColumns.ValuesAsync(context, [.. _rows.Select(r => r.Id)], _columns, CancellationToken.None);
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

    /// <summary>The chosen columns go into the URL, so a link or a saved view shows them too.</summary>
    private Task ChooseColumnsAsync(IEnumerable<RunColumn?>? columns) =>
        StateChanged.InvokeAsync(State.WithColumns((columns ?? []).OfType<RunColumn>()));

    private async Task BulkAsync(BulkAction action)
    {
        if (_bulkBusy) return;
        _bulkBusy = true;
        _confirming = null;
        try
        {
            var request = _allMatching
                ? new BulkRunRequest(action.ToString(), Filter: new BulkRunFilter(State.Query, State.Project, State.Status?.ToString(), State.Tag,
                    State.Method, State.Archived.ToString()), Tag: _bulkTag)
                : new BulkRunRequest(action.ToString(), Runs: [.. _selected.Order()], Tag: _bulkTag);
            var (result, problem) = await Bulk.ApplyAsync(request, _user);
            if (result is null)
            {
                (_bulkMessage, _bulkFailed) = (problem!.Message, true);
                return;
            }
            if (result.CompareUrl is { } compare)
            {
                Navigation.NavigateTo(compare);
                return;
            }
            (_bulkMessage, _bulkFailed) = Describe(result);
            _selected.Clear();
            await LoadAsync(State);
        }
        finally
        {
            _bulkBusy = false;
        }
    }

    /// <summary>"Archived 3 runs; 1 is someone else's." What happened, counted by outcome.</summary>
    public static (string Text, bool AnyRefused) Describe(BulkRunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var done = result.Runs.Count(r => r.Outcome is RunActionOutcome.Done or RunActionOutcome.StopRequested);
        var verb = result.Action switch
        {
            BulkAction.Tag => "Tagged",
            BulkAction.Untag => "Untagged",
            BulkAction.Cancel => "Cancelled",
            BulkAction.Archive => "Archived",
            BulkAction.Unarchive => "Unarchived",
            _ => "Moved to the trash:",
        };
        var parts = new List<string> { $"{verb} {done} {(done == 1 ? "run" : "runs")}" };
        void Add(RunActionOutcome outcome, string text)
        {
            var count = result.Runs.Count(r => r.Outcome == outcome);
            if (count > 0) parts.Add($"{count} {text}");
        }
        Add(RunActionOutcome.Unchanged, "unchanged");
        Add(RunActionOutcome.NotYours, "someone else's (left alone)");
        Add(RunActionOutcome.StillActive, "still queued or running (cancel them first)");
        Add(RunActionOutcome.AlreadyFinished, "already finished");
        Add(RunActionOutcome.LoggedByScript, "logged by a script");
        Add(RunActionOutcome.NotFound, "gone");
        Add(RunActionOutcome.Invalid, result.Runs.FirstOrDefault(r => r.Outcome == RunActionOutcome.Invalid)?.Problem ?? "refused");
        return (string.Join("; ", parts) + ".", result.Runs.Any(r => !new RunActionResult(r.Outcome).Succeeded));
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
