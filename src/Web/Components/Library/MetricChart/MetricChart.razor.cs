using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Components;
using Plotly.Blazor;
using Plotly.Blazor.Interop;
using Plotly.Blazor.Traces;

namespace Tracker.Web.Components.Library;

/// <summary>One point of a chart: x is an epoch or an optimizer step.</summary>
public sealed record ChartPoint(double X, double Y);

/// <summary>A shaded band around a line (a group's mean ± std): its lower and upper edge at each x.</summary>
public sealed record ChartBand(IReadOnlyList<double> X, IReadOnlyList<double> Lower, IReadOnlyList<double> Upper);

/// <summary>One line of a chart: a metric's name and its points; optionally its colour (#rrggbb) and a band drawn under it.</summary>
public sealed record ChartLine(string Name, IReadOnlyList<ChartPoint> Points, string? Color = null, ChartBand? Band = null);

/// <summary>The x range a zoomed chart shows; null when the user zoomed back out to the whole line.</summary>
public sealed record ChartWindow(double From, double To)
{
    /// <summary>Wheel ticks come in bursts: a page fetches a zoom's detail once it has settled this long.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(150);

    /// <summary>
    /// Plotly's relayout event as an x window: its x range when it has one, null when it autoscaled back to the whole range, and
    /// <paramref name="unchanged"/> true when the event is about something else (a y-only zoom, a legend click).
    /// </summary>
    public static ChartWindow? Of(IDictionary<string, JsonElement> relayout, out bool unchanged)
    {
        ArgumentNullException.ThrowIfNull(relayout);
        unchanged = false;
        if (relayout.TryGetValue("xaxis.autorange", out var auto) && auto.ValueKind == JsonValueKind.True) return null;
        if (relayout.TryGetValue("xaxis.range[0]", out var from) && relayout.TryGetValue("xaxis.range[1]", out var to)
            && from.TryGetDouble(out var x0) && to.TryGetDouble(out var x1) && x1 > x0)
            return new ChartWindow(x0, x1);
        if (relayout.TryGetValue("xaxis.range", out var range) && range.ValueKind == JsonValueKind.Array && range.GetArrayLength() == 2
            && range[0].TryGetDouble(out x0) && range[1].TryGetDouble(out x1) && x1 > x0)
            return new ChartWindow(x0, x1);
        unchanged = true;
        return null;
    }
}

/// <summary>
/// A line chart of one group of metrics against epochs or steps, as a figure named by its title, drawn by Plotly (decision 0060):
/// wheel zoom, drag pan, hover values, a log-scale switch, and WebGL for long lines. It redraws only when a line's point list
/// is another object than last time: a chart is the costliest part of a page to render, and a live page re-renders often.
/// </summary>
public partial class MetricChart : IDisposable
{
    /// <summary>Above this many points a line is drawn without markers; hundreds of marker elements cost more than they tell.</summary>
    public const int MaxMarkedPoints = 100;

    /// <summary>Lines longer than this are drawn with WebGL (scattergl): SVG paths of tens of thousands of points stutter.</summary>
    public const int GlPoints = 2000;

    private static int s_nextId;
    private readonly string _id = $"metric-chart-{Interlocked.Increment(ref s_nextId)}";
    private Config _config = new();
    private PlotlyChart? _plot;
    private IList<ITrace> _traces = [];
    private Plotly.Blazor.Layout _layout = new();
    private IReadOnlyList<ChartLine> _rendered = [];
    private bool _changed = true;
    private bool _plotted;
    private bool _logScale;
    private bool _textChanged;
    private bool _drawQueued;
    private readonly CancellationTokenSource _disposed = new();
    private bool? _darkDrawn;

    [Inject] private ThemeMode Theme { get; set; } = default!;
    [Inject] private ChartDraws Draws { get; set; } = default!;

    /// <summary>What the chart shows, e.g. "Accuracy"; also the figure's accessible name.</summary>
    [Parameter, EditorRequired] public string Title { get; set; } = "";

    /// <summary>The x axis' title, e.g. "epoch" or "step".</summary>
    [Parameter, EditorRequired] public string XTitle { get; set; } = "";

    /// <summary>The lines, in legend order; pass the same point list again when a line has not changed.</summary>
    [Parameter, EditorRequired] public IReadOnlyList<ChartLine> Lines { get; set; } = [];

    /// <summary>Draw a marker per point (up to <see cref="MaxMarkedPoints"/> points a line); off for dense step-level lines.</summary>
    [Parameter] public bool ShowMarkers { get; set; }

    /// <summary>
    /// Set to let the page follow the user's zoom (mouse wheel) and pan; raised with the x range then shown, so the page can
    /// fetch that range's points at full detail, and with null when the user zoomed back out.
    /// </summary>
    [Parameter] public EventCallback<ChartWindow?> Zoomed { get; set; }

    /// <summary>Integer x ticks (epochs): no "0 0 1 1" axis when few epochs are drawn.</summary>
    [Parameter] public bool IntegerX { get; set; } = true;

    /// <summary>Show the title above the plot; off where the page heads the chart itself.</summary>
    [Parameter] public bool ShowTitle { get; set; } = true;

    /// <summary>Offer the chart's tools (the log-scale switch and Plotly's mode bar); off on read-only views (share links), which hold no controls.</summary>
    [Parameter] public bool ShowTools { get; set; } = true;

    /// <summary>
    /// Shown in place of the plot while no line has a point: what is coming and when ("first point after step 10"), so a
    /// live run's empty chart does not read as broken. Null: an empty plot.
    /// </summary>
    [Parameter] public string? EmptyText { get; set; }

    /// <summary>The plot's height in pixels.</summary>
    [Parameter] public int Height { get; set; } = 260;

    private int PointCount => Lines.Sum(line => line.Points.Count);

    /// <summary>Whether the placeholder covers the plot (which is there all the same: see the razor file).</summary>
    private bool ShowsEmptyText => EmptyText is not null && PointCount == 0;

    private string? _renderedEmptyText;

    /// <summary>The furthest x drawn (data-last-x), so a script can tell when an epoch reached the chart.</summary>
    private string LastX => Lines.Count == 0 || Lines.All(line => line.Points.Count == 0)
        ? ""
        : Lines.Where(line => line.Points.Count > 0).Max(line => line.Points[^1].X).ToString(CultureInfo.InvariantCulture);

    protected override void OnInitialized() => Theme.Changed += OnThemeChanged;

    protected override void OnParametersSet()
    {
        _changed |= Lines.Count != _rendered.Count
            || Lines.Zip(_rendered).Any(pair => pair.First.Name != pair.Second.Name || !ReferenceEquals(pair.First.Points, pair.Second.Points));
        _rendered = Lines;
        // A new placeholder text renders the chart again, but there is nothing new to draw.
        _textChanged |= EmptyText != _renderedEmptyText;
        _renderedEmptyText = EmptyText;
        if (_changed || _darkDrawn != Theme.IsDark) Build();
    }

    protected override bool ShouldRender() => _changed || _textChanged;

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        var redraw = _changed && _plotted;
        (_changed, _textChanged) = (false, false);
        // The first render draws through PlotlyChart itself; later point lists are pushed with Plotly.react (a diff, no new
        // plot), one chart of the page at a time. A draw still waiting for its turn sends the newest points when it comes.
        if (!redraw || _plot is not { } plot || _drawQueued) return;
        _drawQueued = true;
        try
        {
            await Draws.DrawAsync(() =>
            {
                _drawQueued = false;
                return plot.React();
            }, _disposed.Token);
        }
        catch (OperationCanceledException)
        {
            // The chart left the page while it waited for its turn.
        }
    }

    /// <summary>Plotly drew the plot the first time: later point lists go through React, and a zoomable chart listens for zooms.</summary>
    private void OnPlotRendered()
    {
        if (_plotted) return;
        _plotted = true;
        if (Zoomed.HasDelegate && _plot is not null) _ = InvokeAsync(() => _plot.SubscribeRelayoutEvent());
    }

    private void OnRelayout(RelayoutEventData data) => _ = InvokeAsync(() => OnRelayoutAsync(data));

    private async Task OnRelayoutAsync(RelayoutEventData data)
    {
        if (!Zoomed.HasDelegate || data.RawData is not { } raw) return;
        var window = ChartWindow.Of(raw, out var unchanged);
        if (!unchanged) await Zoomed.InvokeAsync(window);
    }

    private void ToggleLogScale(ChangeEventArgs args)
    {
        _logScale = args.Value is true;
        Build();
        _changed = true;
    }

    private void OnThemeChanged() => InvokeAsync(() =>
    {
        Build();
        _changed = true;
        StateHasChanged();
    });

    private void Build()
    {
        _darkDrawn = Theme.IsDark;
        _traces = PlotlyLines.Traces(Lines, ShowMarkers ? MaxMarkedPoints : 0, GlPoints);
        _layout = PlotlyLines.Layout(XTitle, Height, _logScale, IntegerX, Theme.IsDark, Zoomed.HasDelegate, PlotlyLines.XSpan(Lines));
        _config = new Config
        {
            Responsive = true, DisplayLogo = false, DisplayModeBar = ShowTools ? Plotly.Blazor.ConfigLib.DisplayModeBarEnum.Hover : Plotly.Blazor.ConfigLib.DisplayModeBarEnum.False,
            ScrollZoom = ShowTools ? Plotly.Blazor.ConfigLib.ScrollZoomFlag.Cartesian : Plotly.Blazor.ConfigLib.ScrollZoomFlag.False,
        };
    }

    public void Dispose()
    {
        Theme.Changed -= OnThemeChanged;
        // Cancelled, not disposed: a draw waiting for its turn still reads the token.
        _disposed.Cancel();
    }
}
