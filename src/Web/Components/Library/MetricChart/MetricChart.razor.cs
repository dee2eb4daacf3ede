using Microsoft.AspNetCore.Components;

namespace Tracker.Web.Components.Library;

/// <summary>One line of a chart: a metric's name and its points.</summary>
public sealed record ChartLine(string Name, IReadOnlyList<ChartPoint> Points);

/// <summary>A line chart of one group of metrics against epochs or steps, as a figure named by its title.</summary>
public partial class MetricChart
{
    /// <summary>What the chart shows, e.g. "Accuracy"; also the figure's accessible name.</summary>
    [Parameter, EditorRequired] public string Title { get; set; } = "";

    /// <summary>The x axis' title, e.g. "epoch" or "step".</summary>
    [Parameter, EditorRequired] public string XTitle { get; set; } = "";

    /// <summary>The lines; a line without points is left out.</summary>
    [Parameter, EditorRequired] public IReadOnlyList<ChartLine> Lines { get; set; } = [];

    /// <summary>Draw a marker per point; off for dense step-level lines.</summary>
    [Parameter] public bool ShowMarkers { get; set; }

    /// <summary>How x values are written on the axis.</summary>
    [Parameter] public string XFormat { get; set; } = "{0:0}";

    private int PointCount => Lines.Sum(line => line.Points.Count);
}
