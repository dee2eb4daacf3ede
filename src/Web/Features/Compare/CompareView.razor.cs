using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Tracker.Shared;
using Tracker.Web.Components.Library;
using Tracker.Web.Data;
using Tracker.Web.Features.Compare.Statistics;
using Tracker.Web.Features.Runs;
using Tracker.Web.Realtime;

namespace Tracker.Web.Features.Compare;

/// <summary>
/// Runs side by side: their config diff, one chart per metric (a line per run, or per group a mean with a ± std band),
/// and the final and best values. Everything it shows follows <see cref="State"/>; a change asks the owner to move to
/// the new state (<see cref="StateChanged"/>), which keeps the URL the one source of the view.
/// </summary>
public sealed partial class CompareView : IDisposable
{
    /// <summary>Points drawn per line at most (about what a wide chart has pixels for); the CSV has them all.</summary>
    public const int MaxChartPoints = MetricQueries.ChartPoints;

    private const string NoGrouping = "(none)";
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private static readonly TimeSpan LiveReloadDelay = TimeSpan.FromSeconds(1);

    // Colours that stay apart on white; a series has the same colour in every chart and in the summary, as they list
    // the runs (or groups) in the same order.
    private static readonly string[] Palette =
        ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    [Inject] private IDbContextFactory<TrackerDbContext> Contexts { get; set; } = default!;
    [Inject] private RunNotifier Notifier { get; set; } = default!;

    /// <summary>What to show: runs, metrics, smoothing, x axis, grouping, hidden rows.</summary>
    [Parameter, EditorRequired] public CompareState State { get; set; } = new();

    /// <summary>True on a share link: no controls, no share button, nothing that changes anything.</summary>
    [Parameter] public bool ReadOnly { get; set; }

    /// <summary>Called with the state the user chose; the owner navigates to it.</summary>
    [Parameter] public EventCallback<CompareState> StateChanged { get; set; }

    /// <summary>Where "Download CSV" points; by default /api/compare.csv with the state's query.</summary>
    [Parameter] public string? CsvUrl { get; set; }

    private CompareResult? _result;
    private string _searchText = "";
    private RunPage? _search;
    private string? _searchError;
    private string? _loadedQuery;
    private string _runsText = "";
    private readonly List<IDisposable> _subscriptions = [];
    private int _reloadPending;

    private string CsvHref => CsvUrl ?? AppUrls.CompareCsv(State.ToQuery());

    private string XLabel => CompareCsv.XColumn(State.XAxis);

    private IEnumerable<string> GroupChoices => (_result?.GroupPaths ?? []).Prepend(NoGrouping);

    private IEnumerable<string> MetricChoices => (_result?.AvailableMetrics ?? []).Union(State.ShownMetrics).Order(StringComparer.Ordinal);

    protected override async Task OnParametersSetAsync()
    {
        var query = State.ToQuery();
        if (query == _loadedQuery) return;
        _loadedQuery = query;
        _window = null; // another view starts at its whole range
        _runsText = string.Join(", ", State.Runs);
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        if (State.Runs.Count == 0)
        {
            _result = null;
            Subscribe([]);
            return;
        }
        await using var context = await Contexts.CreateDbContextAsync();
        _result = await CompareQueries.LoadAsync(context, State, CancellationToken.None, MaxChartPoints);
        _windowResult = _window is { } window && Zoomable
            ? await CompareQueries.LoadAsync(context, State, CancellationToken.None, MaxChartPoints, window)
            : null;
        Subscribe(_result.Runs.Where(r => r.Status.IsActive()).Select(r => r.Id));
    }

    /// <summary>
    /// The step window the charts show at full detail after a zoom (every step chart the same one, so they stay
    /// comparable); null for the whole range. Epoch and time charts hold few points a line and do not zoom.
    /// </summary>
    private StepWindow? _window;
    private CompareResult? _windowResult;
    private CancellationTokenSource? _zoomFetch;

    private bool Zoomable => State.XAxis == CompareXAxis.Step && !ReadOnly;

    // Built once per loaded chart, so a re-render hands each chart the same point lists and it does not redraw.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<MetricChart, IReadOnlyList<ChartLine>> _lines = [];

    /// <summary>The chart's series as lines (thinned to what the chart has pixels for), built once per loaded chart.</summary>
    private IReadOnlyList<ChartLine> LinesOf(MetricChart chart) => _lines.GetValue(chart, c => [.. c.Series.Select((series, i) =>
    {
        var points = SeriesMath.Thin(series.Points, MaxChartPoints);
        // A band of no width tells nothing: only groups whose runs differ get one.
        var band = series.IsGroup && series.Points.Any(p => p.Std > 0)
            ? new ChartBand([.. points.Select(p => p.X)], [.. points.Select(p => p.Lower)], [.. points.Select(p => p.Upper)])
            : null;
        return new ChartLine(series.Name, [.. points.Select(p => new ChartPoint(p.X, p.Mean))], ColorOf(i), band);
    })]);

    private EventCallback<ChartWindow?> ZoomCallback =>
        Zoomable ? EventCallback.Factory.Create<ChartWindow?>(this, OnZoomedAsync) : default;

    /// <summary>A zoom or pan on a step chart: the steps it shows are fetched at full detail, for every chart.</summary>
    private async Task OnZoomedAsync(ChartWindow? view)
    {
        if (!Zoomable) return;
        if (view is null)
        {
            await ShowWholeRangeAsync();
            return;
        }
        var window = new StepWindow((long)Math.Floor(view.From), (long)Math.Ceiling(view.To));
        if (window.To <= window.From) return;
        if (_zoomFetch is { } previous) await previous.CancelAsync();
        using var fetch = new CancellationTokenSource();
        _zoomFetch = fetch;
        try
        {
            await Task.Delay(ChartWindow.Settle, fetch.Token);
            await using var context = await Contexts.CreateDbContextAsync(fetch.Token);
            _windowResult = await CompareQueries.LoadAsync(context, State, fetch.Token, MaxChartPoints, window);
            _window = window;
        }
        catch (OperationCanceledException)
        {
            // A later zoom replaced this one.
        }
        finally
        {
            if (_zoomFetch == fetch) _zoomFetch = null;
        }
    }

    private Task ShowWholeRangeAsync()
    {
        _window = null;
        _windowResult = null;
        return Task.CompletedTask;
    }

    // Runs still training redraw as their epochs land; finished runs need no subscription.
    private void Subscribe(IEnumerable<long> runIds)
    {
        foreach (var subscription in _subscriptions) subscription.Dispose();
        _subscriptions.Clear();
        if (!RendererInfo.IsInteractive) return;
        foreach (var id in runIds)
            _subscriptions.Add(Notifier.Subscribe(id, OnRunEventAsync));
    }

    private async Task OnRunEventAsync(TrainingEvent trainingEvent)
    {
        if (trainingEvent is not (EpochEvent or RunFinishedEvent)) return;
        // The sink publishes an event before it stores its points: wait a moment, and fold a burst into one reload.
        if (Interlocked.Exchange(ref _reloadPending, 1) == 1) return;
        await Task.Delay(LiveReloadDelay);
        Interlocked.Exchange(ref _reloadPending, 0);
        await InvokeAsync(async () =>
        {
            await LoadAsync();
            StateHasChanged();
        });
    }

    private Task ChangeAsync(CompareState next) =>
        ReadOnly || next.SameViewAs(State) ? Task.CompletedTask : StateChanged.InvokeAsync(next with { Problems = [] });

    private Task ApplyRunsAsync()
    {
        var parsed = CompareState.Parse(_runsText, null, null, null, null, null);
        return ChangeAsync(State with { Runs = parsed.Runs });
    }

    private async Task SearchAsync()
    {
        _search = null;
        _searchError = null;
        if (string.IsNullOrWhiteSpace(_searchText)) return;
        if (!CompareRunSearch.TryFilter(_searchText, out var filter, out var error))
        {
            _searchError = error;
            return;
        }
        await using var context = await Contexts.CreateDbContextAsync();
        _search = await CompareRunSearch.FindAsync(context, filter, CancellationToken.None);
    }

    private Task AddRunsAsync(IEnumerable<long> ids) => ChangeAsync(State with { Runs = [.. State.Runs.Union(ids)] });

    private string BaselineKeyOf(CompareResult result) => result.Summary.FirstOrDefault(r => r.IsBaseline)?.Key ?? result.Summary[0].Key;

    private string CountsText(IReadOnlyList<RunCountSpan> spans) =>
        string.Join(", ", spans.Select(s => $"n = {s.N} at {XLabel} {Number(s.FromX)}{(s.ToX > s.FromX ? $"–{Number(s.ToX)}" : "")}"));

    // Keeps the metrics in the order the user first listed them, new ones at the end.
    private IReadOnlyList<string> OrderMetrics(IEnumerable<string> chosen)
    {
        var set = chosen.ToHashSet(StringComparer.Ordinal);
        return [.. State.ShownMetrics.Where(set.Contains), .. set.Except(State.ShownMetrics).Order(StringComparer.Ordinal)];
    }

    private static string ColorOf(int seriesIndex) => Palette[seriesIndex % Palette.Length];

    private static string Number(double value) =>
        double.IsFinite(value) ? value.ToString("G5", Invariant) : double.IsNaN(value) ? "NaN" : value > 0 ? "∞" : "-∞";

    public void Dispose()
    {
        foreach (var subscription in _subscriptions) subscription.Dispose();
        _subscriptions.Clear();
    }
}
