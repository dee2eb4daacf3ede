using System.Globalization;
using Plotly.Blazor;
using Plotly.Blazor.LayoutLib;
using Plotly.Blazor.Traces;

namespace Tracker.Web.Components.Library;

/// <summary>Turns <see cref="ChartLine"/>s into Plotly traces and a layout: one place for how every metric chart looks.</summary>
public static class PlotlyLines
{
    /// <summary>The traces: per line its band (if any) under it, then the line; lines longer than <paramref name="glPoints"/> use WebGL.</summary>
    public static IList<ITrace> Traces(IReadOnlyList<ChartLine> lines, int maxMarkedPoints, int glPoints)
    {
        var traces = new List<ITrace>();
        foreach (var line in lines)
        {
            if (line.Band is { } band && band.X.Count > 0)
            {
                // Lower edge first (invisible), then the upper edge filled down to it.
                traces.Add(new Scatter
                {
                    Name = $"{line.Name} ± std", X = Objects(band.X), Y = Objects(band.Lower), Mode = Plotly.Blazor.Traces.ScatterLib.ModeFlag.Lines,
                    Line = new Plotly.Blazor.Traces.ScatterLib.Line { Width = 0, Color = line.Color }, ShowLegend = false, HoverInfo = Plotly.Blazor.Traces.ScatterLib.HoverInfoFlag.Skip,
                    LegendGroup = line.Name,
                });
                traces.Add(new Scatter
                {
                    Name = $"{line.Name} ± std", X = Objects(band.X), Y = Objects(band.Upper), Mode = Plotly.Blazor.Traces.ScatterLib.ModeFlag.Lines,
                    Fill = Plotly.Blazor.Traces.ScatterLib.FillEnum.ToNextY, FillColor = line.Color is { } c ? $"{c}33" : null,
                    Line = new Plotly.Blazor.Traces.ScatterLib.Line { Width = 0, Color = line.Color }, ShowLegend = false,
                    HoverInfo = Plotly.Blazor.Traces.ScatterLib.HoverInfoFlag.Skip, LegendGroup = line.Name,
                });
            }
            var x = Objects(line.Points.Select(p => p.X));
            var y = Objects(line.Points.Select(p => p.Y));
            var marked = line.Points.Count <= maxMarkedPoints;
            if (line.Points.Count > glPoints)
                traces.Add(new ScatterGl
                {
                    Name = line.Name, X = x, Y = y, Mode = Plotly.Blazor.Traces.ScatterGlLib.ModeFlag.Lines, LegendGroup = line.Name,
                    Line = new Plotly.Blazor.Traces.ScatterGlLib.Line { Width = 1.5m, Color = line.Color },
                });
            else
                traces.Add(new Scatter
                {
                    Name = line.Name, X = x, Y = y, LegendGroup = line.Name,
                    Mode = marked ? Plotly.Blazor.Traces.ScatterLib.ModeFlag.Lines | Plotly.Blazor.Traces.ScatterLib.ModeFlag.Markers : Plotly.Blazor.Traces.ScatterLib.ModeFlag.Lines,
                    Line = new Plotly.Blazor.Traces.ScatterLib.Line { Width = 2, Color = line.Color },
                    Marker = marked ? new Plotly.Blazor.Traces.ScatterLib.Marker { Size = 5, Color = line.Color } : null,
                });
        }
        return traces;
    }

    /// <summary>
    /// The layout: titled x axis (integer ticks for epochs), linear or log y, legend below, hover values of every line at an x,
    /// colours that read on the light and the dark theme, and drag-to-pan where the chart zooms.
    /// </summary>
    public static Plotly.Blazor.Layout Layout(string xTitle, int height, bool logScale, bool integerX, bool dark, bool zoomable, double? xSpan = null)
    {
        var text = dark ? "#e0e0e0" : "#424242";
        var grid = dark ? "#3a3a3a" : "#e0e0e0";
        var xAxis = new XAxis
        {
            Title = new Plotly.Blazor.LayoutLib.XAxisLib.Title { Text = xTitle }, GridColor = grid, ZeroLineColor = grid,
        };
        if (integerX && xSpan is { } span && span <= IntegerTickSpan)
        {
            // Plotly's automatic ticks over a short range fall between integers (0, 0.5, 1...), and "d" then reads
            // "0 0 1 1": one tick per whole number instead.
            xAxis.TickMode = Plotly.Blazor.LayoutLib.XAxisLib.TickModeEnum.Linear;
            xAxis.Tick0 = 0;
            xAxis.DTick = 1;
        }
        else if (integerX)
        {
            xAxis.TickFormat = "d";
        }
        return new Plotly.Blazor.Layout
        {
            Height = height,
            AutoSize = true,
            Margin = new Margin { L = 56, R = 16, T = 8, B = 40 },
            PaperBgColor = "rgba(0,0,0,0)",
            PlotBgColor = "rgba(0,0,0,0)",
            Font = new Font { Color = text, Size = 12 },
            HoverMode = HoverModeEnum.X,
            DragMode = zoomable ? DragModeEnum.Pan : DragModeEnum.Zoom,
            XAxis = [xAxis],
            YAxis =
            [
                new YAxis
                {
                    Type = logScale ? Plotly.Blazor.LayoutLib.YAxisLib.TypeEnum.Log : Plotly.Blazor.LayoutLib.YAxisLib.TypeEnum.Linear,
                    GridColor = grid, ZeroLineColor = grid, TickFormat = logScale ? null : "~g",
                },
            ],
            ShowLegend = true,
            Legend = [new Legend { Orientation = Plotly.Blazor.LayoutLib.LegendLib.OrientationEnum.H, Y = -0.25m }],
            // Kept while the data changes, so a live chart's new points do not reset the user's zoom.
            UiRevision = "keep",
        };
    }

    /// <summary>Up to this x range an integer axis has a tick at every whole number; beyond it Plotly's own ticks are whole numbers already.</summary>
    public const double IntegerTickSpan = 10;

    /// <summary>The x range the lines cover (largest x less smallest); null when they hold no point.</summary>
    public static double? XSpan(IReadOnlyList<ChartLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var xs = lines.SelectMany(line => line.Points).Select(p => p.X).ToList();
        return xs.Count == 0 ? null : xs.Max() - xs.Min();
    }

    private static List<object> Objects(IEnumerable<double> values) => values.Select(v => (object)v).ToList();

    /// <summary>Invariant text of a number, for attributes.</summary>
    public static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);
}
