using Microsoft.AspNetCore.Components;

namespace Tracker.Web.Components.Library;

/// <summary>One point of a chart: x is an epoch or an optimizer step.</summary>
public sealed record ChartPoint(double X, double Y);

/// <summary>One line of a chart: a metric's name and its points.</summary>
public sealed record ChartLine(string Name, IReadOnlyList<ChartPoint> Points);

/// <summary>The x range a zoomed chart shows; null when the user zoomed back out to the whole line.</summary>
public sealed record ChartWindow(double From, double To)
{
    /// <summary>Wheel ticks come in bursts: a page fetches a zoom's detail once it has settled this long.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(150);

    /// <summary>
    /// Radzen's view of a chart (fractions of the x range its lines span, <paramref name="first"/> to
    /// <paramref name="last"/>) as x values; null when the chart shows its whole range.
    /// </summary>
    public static ChartWindow? Of(Radzen.ChartViewChangeEventArgs view, double first, double last)
    {
        ArgumentNullException.ThrowIfNull(view);
        return view.Zoom <= 100 || view.ViewEnd - view.ViewStart >= 1
            ? null
            : new ChartWindow(first + view.ViewStart * (last - first), first + view.ViewEnd * (last - first));
    }
}

/// <summary>
/// A line chart of one group of metrics against epochs or steps, as a figure named by its title. It redraws only when
/// a line's point list is another object than last time: a chart is the costliest part of a page to render, and a
/// live page re-renders often.
/// </summary>
public partial class MetricChart
{
    /// <summary>Above this many points a line is drawn without markers; hundreds of marker elements cost more than they tell.</summary>
    public const int MaxMarkedPoints = 100;

    private IReadOnlyList<ChartLine> _rendered = [];
    private bool _changed = true;

    /// <summary>What the chart shows, e.g. "Accuracy"; also the figure's accessible name.</summary>
    [Parameter, EditorRequired] public string Title { get; set; } = "";

    /// <summary>The x axis' title, e.g. "epoch" or "step".</summary>
    [Parameter, EditorRequired] public string XTitle { get; set; } = "";

    /// <summary>The lines, in legend order; pass the same point list again when a line has not changed.</summary>
    [Parameter, EditorRequired] public IReadOnlyList<ChartLine> Lines { get; set; } = [];

    /// <summary>Draw a marker per point (up to <see cref="MaxMarkedPoints"/> points a line); off for dense step-level lines.</summary>
    [Parameter] public bool ShowMarkers { get; set; }

    /// <summary>
    /// Set to let the user zoom (mouse wheel) and pan; raised with the x range then shown, so the page can fetch that range's
    /// points at full detail. The page must keep each line's first and last point: the chart's zoom is a fraction of the
    /// x range its lines span.
    /// </summary>
    [Parameter] public EventCallback<ChartWindow?> Zoomed { get; set; }

    /// <summary>How x values are written on the axis.</summary>
    [Parameter] public string XFormat { get; set; } = "{0:0}";

    private int PointCount => Lines.Sum(line => line.Points.Count);

    /// <summary>The furthest x drawn (data-last-x), so a script can tell when an epoch reached the chart.</summary>
    private string LastX => Lines.Count == 0 || Lines.All(line => line.Points.Count == 0)
        ? ""
        : Lines.Where(line => line.Points.Count > 0).Max(line => line.Points[^1].X).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private bool Zoomable => Zoomed.HasDelegate;

    /// <summary>The chart's fractions of its x range, turned into x values.</summary>
    private async Task OnViewChangeAsync(Radzen.ChartViewChangeEventArgs args)
    {
        var lines = Lines.Where(line => line.Points.Count > 0).ToList();
        if (lines.Count == 0) return;
        await Zoomed.InvokeAsync(ChartWindow.Of(args, lines.Min(line => line.Points[0].X), lines.Max(line => line.Points[^1].X)));
    }

    private bool Marked(ChartLine line) => ShowMarkers && line.Points.Count <= MaxMarkedPoints;

    protected override void OnParametersSet()
    {
        _changed |= Lines.Count != _rendered.Count
            || Lines.Zip(_rendered).Any(pair => pair.First.Name != pair.Second.Name || !ReferenceEquals(pair.First.Points, pair.Second.Points));
        _rendered = Lines;
    }

    protected override bool ShouldRender() => _changed;

    protected override void OnAfterRender(bool firstRender) => _changed = false;
}
