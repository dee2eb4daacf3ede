using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Plotly.Blazor;
using Microsoft.JSInterop;
using Plotly.Blazor.Traces;
using Plotly.Blazor.Traces.ParCoordsLib;
using Tracker.Shared;
using Tracker.Web.Data;

namespace Tracker.Web.Features.Analysis;

/// <summary>
/// /analysis?q=&amp;sweep=&amp;fields=&amp;metric=: parallel coordinates of chosen config fields and one metric over the
/// runs of a filter or a sweep, brushing that filters the runs table beside it, and a scatter of any two fields or
/// metrics. Plotly (through Plotly.Blazor) draws both; it stays inside this page (decision 0025).
/// </summary>
public partial class ParametersPage : IAsyncDisposable
{
    [Inject] private IDbContextFactory<TrackerDbContext> Contexts { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private ILogger<ParametersPage> Logger { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;

    /// <summary>A /runs filter-language query choosing the runs.</summary>
    [SupplyParameterFromQuery(Name = "q")] public string? Query { get; set; }

    /// <summary>Only the runs of this sweep.</summary>
    [SupplyParameterFromQuery(Name = "sweep")] public string? Sweep { get; set; }

    /// <summary>The config fields shown as axes, comma separated (default: those that differ between the runs).</summary>
    [SupplyParameterFromQuery(Name = "fields")] public string? Fields { get; set; }

    /// <summary>The metric of the last axis and the colour (default val/acc).</summary>
    [SupplyParameterFromQuery(Name = "metric")] public string? Metric { get; set; }

    private readonly ParameterBrush _brush = new();
    private IReadOnlyList<ParameterRun> _runs = [];
    private IReadOnlyList<ParameterAxis> _axes = [];
    private IReadOnlyList<int> _selected = [];
    private IReadOnlyList<string> _fieldChoices = [];
    private IReadOnlyList<string> _metricChoices = [];
    private IReadOnlyList<string> _axisChoices = [];
    private IReadOnlyCollection<string> _fields = [];
    private string _metric = MetricKeys.ValAcc;
    private string? _query;
    private string? _x;
    private string? _y;
    private string? _error;
    private bool _loaded;
    private bool _subscribed;
    private IJSObjectReference? _module;
    private DotNetObjectReference<ParametersPage>? _self;
    private (string?, string?, string?, string?)? _loadedFor;

    private PlotlyChart? _parcoords;
    private PlotlyChart? _scatter;
    private IList<ITrace> _parcoordsData = [];
    private IList<ITrace> _scatterData = [];
    private readonly Layout _parcoordsLayout = new() { Height = 420, Margin = new Plotly.Blazor.LayoutLib.Margin { L = 80, R = 80, T = 60, B = 30 } };
    private readonly Layout _scatterLayout = new() { Height = 360, Margin = new Plotly.Blazor.LayoutLib.Margin { L = 70, R = 30, T = 30, B = 60 } };
    private readonly Config _plotConfig = new() { Responsive = true, DisplayLogo = false };

    protected override async Task OnParametersSetAsync()
    {
        if (_loadedFor == (Query, Sweep, Fields, Metric)) return;
        _loadedFor = (Query, Sweep, Fields, Metric);
        _query = Query;
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        await using var context = await Contexts.CreateDbContextAsync();
        (_runs, _error) = await ParameterQueries.LoadAsync(context, _query, Sweep, CancellationToken.None);
        _loaded = true;
        _fieldChoices = _runs.SelectMany(r => r.Fields.Keys).Distinct(StringComparer.Ordinal).ToList();
        _metricChoices = _runs.SelectMany(r => r.Metrics.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        _axisChoices = _fieldChoices.Concat(_metricChoices).Distinct(StringComparer.Ordinal).ToList();
        var asked = (Fields ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(_fieldChoices.Contains).ToList();
        // By default the fields that differ between the runs: the ones a sweep varied.
        _fields = asked.Count > 0 ? asked : _fieldChoices.Where(f => f != Compare.ConfigFields.MethodPath && f != "name"
            && _runs.Select(r => r.Fields.GetValueOrDefault(f)).Distinct().Skip(1).Any()).Take(6).ToList();
        _metric = Metric is { } m && _metricChoices.Contains(m) ? m : _metricChoices.Contains(MetricKeys.ValAcc) ? MetricKeys.ValAcc : _metricChoices.FirstOrDefault() ?? MetricKeys.ValAcc;
        _x = _fields.FirstOrDefault() ?? _axisChoices.FirstOrDefault();
        _y = _metric;
        Build();
    }

    private void Build()
    {
        _brush.Clear();
        var keys = _fields.Append(_metric).ToList();
        _axes = keys.Select(k => ParameterAxis.Of(k, _runs)).ToList();
        _selected = _brush.Select(_axes, _runs.Count);
        var metricAxis = _axes[^1];
        _parcoordsData =
        [
            new ParCoords
            {
                Dimensions = _axes.Select(axis => new Dimension
                {
                    Label = axis.Key,
                    Values = axis.Values.Cast<object>().ToList(),
                    TickVals = axis.IsCategorical ? Enumerable.Range(0, axis.Categories!.Count).Cast<object>().ToList() : null,
                    TickText = axis.IsCategorical ? axis.Categories!.Cast<object>().ToList() : null,
                }).ToList(),
                Line = new Plotly.Blazor.Traces.ParCoordsLib.Line
                {
                    Color = metricAxis.Values.Cast<object>().ToList(),
                    ColorScale = new object[] { new object[] { 0, "#d73027" }, new object[] { 0.5, "#fee08b" }, new object[] { 1, "#1a9850" } },
                    ReverseScale = !MetricKeys.HigherIsBetter(_metric) && _metric.Contains("loss", StringComparison.Ordinal),
                    ShowScale = true,
                },
            },
        ];
        BuildScatter();
    }

    private void BuildScatter()
    {
        if (_x is null || _y is null) return;
        var x = ParameterAxis.Of(_x, _runs);
        var y = ParameterAxis.Of(_y, _runs);
        _scatterData =
        [
            new Scatter
            {
                Mode = Plotly.Blazor.Traces.ScatterLib.ModeFlag.Markers,
                X = x.Values.Cast<object>().ToList(),
                Y = y.Values.Cast<object>().ToList(),
                TextArray = _runs.Select(r => r.Name).ToList(),
            },
        ];
        _scatterLayout.XAxis = [new Plotly.Blazor.LayoutLib.XAxis { Title = new Plotly.Blazor.LayoutLib.XAxisLib.Title { Text = _x } }];
        _scatterLayout.YAxis = [new Plotly.Blazor.LayoutLib.YAxis { Title = new Plotly.Blazor.LayoutLib.YAxisLib.Title { Text = _y } }];
    }

    private async Task ApplyAsync()
    {
        var query = new Dictionary<string, object?>
        {
            ["q"] = string.IsNullOrWhiteSpace(_query) ? null : _query,
            ["fields"] = string.Join(',', _fields),
            ["metric"] = _metric,
        };
        // The address keeps the view, so it can be shared or reloaded; navigating reloads through OnParametersSetAsync.
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(query));
        await Task.CompletedTask;
    }

    private async Task DrawScatterAsync()
    {
        BuildScatter();
        if (_scatter is not null) await _scatter.React();
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (_subscribed || _runs.Count == 0) return;
        _subscribed = true;
        try
        {
            _self ??= DotNetObjectReference.Create(this);
            _module ??= await JS.InvokeAsync<IJSObjectReference>("import", "./Features/Analysis/ParametersPage.razor.js");
            await _module.InvokeVoidAsync("watchBrushes", "parameters-parcoords", _self);
        }
        catch (Exception error) when (error is JSException or JSDisconnectedException or TaskCanceledException)
        {
            Logger.LogWarning(error, "Brushing is off: the parallel coordinates could not be watched");
        }
    }

    /// <summary>Each axis's constraint range after a brush changed: null, [low, high] or [[low, high], ...].</summary>
    [JSInvokable]
    public Task OnBrushed(JsonElement[] ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        for (var axis = 0; axis < ranges.Length; axis++) _brush.Set(axis, Intervals(ranges[axis]));
        _selected = _brush.Select(_axes, _runs.Count);
        return InvokeAsync(StateHasChanged);
    }

    public async ValueTask DisposeAsync()
    {
        if (_module is not null)
        {
            try
            {
                await _module.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
            }
        }
        _self?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The intervals of a constraint range; the event wraps the new value in one more array (one per trace).</summary>
    public static IReadOnlyList<(double Low, double High)> Intervals(JsonElement value)
    {
        while (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 1 && value[0].ValueKind == JsonValueKind.Array) value = value[0];
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0) return [];
        if (value[0].ValueKind == JsonValueKind.Number)
            return value.GetArrayLength() == 2 ? [(value[0].GetDouble(), value[1].GetDouble())] : [];
        return value.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.Array && i.GetArrayLength() == 2)
            .Select(i => (i[0].GetDouble(), i[1].GetDouble())).ToList();
    }

    private async Task ClearBrushAsync()
    {
        Build();
        if (_parcoords is not null) await _parcoords.React();
    }
}
