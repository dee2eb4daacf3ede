using Bunit;
using Tracker.Web.Components.Library;
using Tracker.Web.Data;

namespace Tracker.Web.Tests.Components;

public class RunStatusBadgeTests : ComponentTest
{
    [Theory]
    [InlineData(RunStatus.Queued, "queued", "mud-chip-color-default")]
    [InlineData(RunStatus.Running, "running", "mud-chip-color-info")]
    [InlineData(RunStatus.Succeeded, "succeeded", "mud-chip-color-success")]
    [InlineData(RunStatus.Failed, "failed", "mud-chip-color-error")]
    [InlineData(RunStatus.Diverged, "diverged", "mud-chip-color-error")]
    [InlineData(RunStatus.Cancelled, "cancelled", "mud-chip-color-warning")]
    public void EachStatus_HasItsWordAndColour(RunStatus status, string word, string styleClass)
    {
        var badge = Render<RunStatusBadge>(p => p.Add(b => b.Status, status)).Find(".mud-chip.run-status");

        Assert.Equal(word, badge.TextContent.Trim());
        Assert.Contains(styleClass, badge.ClassList);
    }

    [Fact]
    public void ExtraAttributes_ReachTheBadge()
    {
        var badge = Render<RunStatusBadge>(p => p.Add(b => b.Status, RunStatus.Failed).AddUnmatched("title", "out of memory")).Find(".mud-chip.run-status");

        Assert.Equal("out of memory", badge.GetAttribute("title"));
    }
}

public class ConfigFieldTests : ComponentTest
{
    [Fact]
    public void Errors_AreListedUnderTheInput_WithTheIdTheInputPointsAt_AndHideTheHint()
    {
        var cut = Render<ConfigField>(p => p
            .Add(f => f.Path, "dropout.cutoffEpoch").Add(f => f.Label, "Dropout cutoff epoch").Add(f => f.Hint, "An epoch")
            .Add(f => f.Errors, ["Early dropout needs a cutoff epoch.", "Second"]));

        var errors = cut.Find("#dropout\\.cutoffEpoch-errors");
        Assert.Equal(["Early dropout needs a cutoff epoch.", "Second"], errors.Children.Select(c => c.TextContent));
        Assert.Empty(cut.FindAll(".config-field-hint"));
        Assert.Equal("dropout.cutoffEpoch-errors", ConfigField.InputAttributes("dropout.cutoffEpoch", ["x"])["aria-describedby"]);
    }

    [Fact]
    public void WithoutErrors_TheHintShows_AndTheInputIsValid()
    {
        var cut = Render<ConfigField>(p => p.Add(f => f.Path, "tags").Add(f => f.Label, "Tags").Add(f => f.Hint, "Separated by commas"));

        Assert.Equal("Separated by commas", cut.Find(".config-field-hint").TextContent);
        Assert.Empty(cut.FindAll(".config-field-errors"));
        Assert.Equal("false", ConfigField.InputAttributes("tags", [])["aria-invalid"]);
        Assert.False(ConfigField.InputAttributes("tags", []).ContainsKey("aria-describedby"));
    }

    [Fact]
    public void TheLabel_PointsAtThePath()
    {
        var cut = Render<ConfigField>(p => p.Add(f => f.Path, "lr").Add(f => f.Label, "Learning rate"));

        var label = cut.Find("label");
        Assert.Equal("lr", label.GetAttribute("for"));
        Assert.Equal("Learning rate", label.TextContent.Trim());
    }

    [Fact]
    public void AnInlineField_LeavesTheLabelToItsCheckBox()
    {
        var cut = Render<ConfigField>(p => p.Add(f => f.Path, "rDrop").Add(f => f.Label, "Use R-Drop").Add(f => f.Inline, true));

        Assert.Empty(cut.FindAll("label"));
        Assert.NotNull(cut.Find(".config-inline"));
    }
}

public class FactTileTests : ComponentTest
{
    [Fact]
    public void TheValue_CarriesItsKey_AndTheDetailIsOptional()
    {
        var cut = Render<FactTile>(p => p.Add(f => f.Label, "CUDA devices").Add(f => f.Value, "2").Add(f => f.Key, "cuda-devices"));

        Assert.Equal("2", cut.Find("[data-fact=cuda-devices]").TextContent);
        Assert.Equal("CUDA devices", cut.Find(".fact-label").TextContent);
        Assert.Empty(cut.FindAll(".fact-detail"));

        cut.Render(p => p.Add(f => f.Detail, "from the engine"));
        Assert.Equal("from the engine", cut.Find(".fact-detail").TextContent);
    }
}

public class MetricChartTests : ComponentTest
{
    // Plotly draws in the browser through JavaScript (answered with defaults here); what is tested is the figure around it.
    public MetricChartTests()
    {
        SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    private static readonly IReadOnlyList<ChartPoint> Train = [new(1, 0.9), new(2, 0.5), new(3, 0.4)];
    private static readonly IReadOnlyList<ChartPoint> Val = [new(1, 0.8), new(2, 0.6)];

    [Fact]
    public void TheFigure_CountsItsPoints_AndNamesTheFurthestX()
    {
        var figure = Render<MetricChart>(p => p.Add(c => c.Title, "Loss").Add(c => c.XTitle, "epoch")
            .Add(c => c.Lines, [new ChartLine("train/loss", Train), new ChartLine("val/loss", Val)])).Find("figure");

        Assert.Equal("Loss", figure.GetAttribute("aria-label"));
        Assert.Equal("5", figure.GetAttribute("data-points"));
        Assert.Equal("3", figure.GetAttribute("data-last-x"));
    }

    [Fact]
    public void TheSamePointLists_DoNotRedraw_ButANewListDoes()
    {
        var cut = Render<MetricChart>(p => p.Add(c => c.Title, "Loss").Add(c => c.XTitle, "epoch").Add(c => c.Lines, [new ChartLine("train/loss", Train)]));
        var renders = cut.RenderCount;

        cut.Render(p => p.Add(c => c.Lines, [new ChartLine("train/loss", Train)]));
        Assert.Equal(renders, cut.RenderCount);

        cut.Render(p => p.Add(c => c.Lines, [new ChartLine("train/loss", [.. Train, new ChartPoint(4, 0.3)])]));
        Assert.Equal(renders + 1, cut.RenderCount);
        Assert.Equal("4", cut.Find("figure").GetAttribute("data-last-x"));
    }
}

public class MetricChartPlaceholderTests : ComponentTest
{
    public MetricChartPlaceholderTests()
    {
        SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    [Fact]
    public void WithoutPoints_TheTextCoversThePlot_UntilTheFirstPointComes()
    {
        var cut = Render<MetricChart>(p => p.Add(c => c.Title, "Loss").Add(c => c.XTitle, "epoch").Add(c => c.Lines, [])
            .Add(c => c.EmptyText, "First point at the end of epoch 1 (step 469)."));

        Assert.Equal("First point at the end of epoch 1 (step 469).", cut.Find(".metric-chart-plot > .metric-chart-empty[role=status]").TextContent);
        // The plot is made with the page, under the text, so that its first draw does not fall in the middle of a live run.
        var plot = Assert.Single(cut.FindComponents<Plotly.Blazor.PlotlyChart>());

        cut.Render(p => p.Add(c => c.Lines, [new ChartLine("train/loss", [new ChartPoint(1, 0.5)])]));

        Assert.Empty(cut.FindAll(".metric-chart-empty"));
        Assert.Same(plot.Instance, Assert.Single(cut.FindComponents<Plotly.Blazor.PlotlyChart>()).Instance);
    }

    [Fact]
    public void ANewText_IsShown_AndNoTextLeavesAnEmptyPlot()
    {
        var cut = Render<MetricChart>(p => p.Add(c => c.Title, "Loss").Add(c => c.XTitle, "step").Add(c => c.Lines, []).Add(c => c.EmptyText, "First point after step 5."));

        cut.Render(p => p.Add(c => c.EmptyText, "First point after step 10."));
        Assert.Equal("First point after step 10.", cut.Find(".metric-chart-empty").TextContent);

        cut.Render(p => p.Add(c => c.EmptyText, (string?)null));
        Assert.Empty(cut.FindAll(".metric-chart-empty"));
        Assert.Single(cut.FindComponents<Plotly.Blazor.PlotlyChart>());
    }
}

public class MetricChartScaleTests : ComponentTest
{
    public MetricChartScaleTests()
    {
        SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    [Fact]
    public void TheLogSwitch_TurnsTheYAxisLogarithmic_AndBack()
    {
        var cut = Render<MetricChart>(p => p.Add(c => c.Title, "Loss").Add(c => c.XTitle, "step")
            .Add(c => c.Lines, [new ChartLine("train/loss", [new(1, 2.3), new(2, 0.1)])]));
        var box = cut.Find(".metric-chart-log input");

        box.Change(true);
        Assert.Equal("log", cut.Find("figure").GetAttribute("data-y-scale"));

        cut.Find(".metric-chart-log input").Change(false);
        Assert.Equal("linear", cut.Find("figure").GetAttribute("data-y-scale"));
    }

    [Fact]
    public void AReadOnlyChart_HasNoInput()
    {
        var cut = Render<MetricChart>(p => p.Add(c => c.Title, "Loss").Add(c => c.XTitle, "step").Add(c => c.ShowTools, false)
            .Add(c => c.Lines, [new ChartLine("train/loss", [new(1, 2.3)])]));

        Assert.Empty(cut.FindAll("input"));
    }
}

public class PlotlyLinesTests
{
    private static ChartLine Line(string name, int points, ChartBand? band = null) =>
        new(name, [.. Enumerable.Range(0, points).Select(i => new ChartPoint(i, 1.0 / (i + 1)))], "#1f77b4", band);

    [Fact]
    public void LongLines_UseWebGl_ShortOnesSvgWithMarkers()
    {
        var traces = PlotlyLines.Traces([Line("short", 10), Line("long", 5000)], maxMarkedPoints: 100, glPoints: 2000);

        var svg = Assert.IsType<Plotly.Blazor.Traces.Scatter>(traces[0]);
        Assert.True(svg.Mode!.Value.HasFlag(Plotly.Blazor.Traces.ScatterLib.ModeFlag.Markers));
        var gl = Assert.IsType<Plotly.Blazor.Traces.ScatterGl>(traces[1]);
        Assert.Equal(5000, gl.X!.Count);
    }

    [Fact]
    public void ABand_IsTwoUnlistedEdges_BeforeItsLine()
    {
        var band = new ChartBand([0, 1], [0.5, 0.4], [0.7, 0.6]);

        var traces = PlotlyLines.Traces([Line("group", 2, band)], maxMarkedPoints: 0, glPoints: 2000);

        Assert.Equal(3, traces.Count);
        var upper = Assert.IsType<Plotly.Blazor.Traces.Scatter>(traces[1]);
        Assert.Equal(Plotly.Blazor.Traces.ScatterLib.FillEnum.ToNextY, upper.Fill);
        Assert.False(upper.ShowLegend);
        Assert.Equal("group", Assert.IsType<Plotly.Blazor.Traces.Scatter>(traces[2]).Name);
    }

    [Fact]
    public void TheLayout_SwitchesToALogAxis_AndPansWhereTheChartZooms()
    {
        var log = PlotlyLines.Layout("step", 260, logScale: true, integerX: true, dark: false, zoomable: true);
        var linear = PlotlyLines.Layout("epoch", 260, logScale: false, integerX: true, dark: true, zoomable: false);

        Assert.Equal(Plotly.Blazor.LayoutLib.YAxisLib.TypeEnum.Log, log.YAxis![0].Type);
        Assert.Equal(Plotly.Blazor.LayoutLib.DragModeEnum.Pan, log.DragMode);
        Assert.Equal(Plotly.Blazor.LayoutLib.YAxisLib.TypeEnum.Linear, linear.YAxis![0].Type);
        Assert.Equal("d", linear.XAxis![0].TickFormat);
        Assert.NotEqual(log.Font!.Color, linear.Font!.Color);
    }
}

public class PlotlyIntegerTicksTests
{
    [Fact]
    public void AFewEpochs_GetATickAtEveryWholeNumber_NotRepeatedRoundedTicks()
    {
        IReadOnlyList<ChartLine> lines = [new ChartLine("val/acc", [new ChartPoint(1, 40), new ChartPoint(2, 50), new ChartPoint(3, 55)])];

        var axis = PlotlyLines.Layout("epoch", 260, logScale: false, integerX: true, dark: false, zoomable: false, PlotlyLines.XSpan(lines)).XAxis![0];

        Assert.Equal(Plotly.Blazor.LayoutLib.XAxisLib.TickModeEnum.Linear, axis.TickMode);
        Assert.Equal(1, Convert.ToDouble(axis.DTick, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Null(axis.TickFormat); // "d" on Plotly's half-epoch ticks read "0 0 1 1"
    }

    [Fact]
    public void ALongRange_KeepsPlotlysOwnTicks_AsWholeNumbers()
    {
        IReadOnlyList<ChartLine> lines = [new ChartLine("train/loss", [new ChartPoint(5, 2), new ChartPoint(5000, 0.5)])];

        var axis = PlotlyLines.Layout("step", 260, logScale: false, integerX: true, dark: false, zoomable: true, PlotlyLines.XSpan(lines)).XAxis![0];

        Assert.Null(axis.DTick);
        Assert.Equal("d", axis.TickFormat);
        Assert.Null(PlotlyLines.XSpan([]));
    }
}

public class ChartWindowTests
{
    private static Dictionary<string, System.Text.Json.JsonElement> Event(string json) =>
        System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, System.Text.Json.JsonElement>>(json)!;

    [Fact]
    public void AZoom_IsItsXRange()
    {
        var window = ChartWindow.Of(Event("""{"xaxis.range[0]": 120.5, "xaxis.range[1]": 480}"""), out var unchanged);

        Assert.False(unchanged);
        Assert.Equal(new ChartWindow(120.5, 480), window);
    }

    [Fact]
    public void AutoscaleIsTheWholeRange_AndAYOnlyChangeIsNoChange()
    {
        Assert.Null(ChartWindow.Of(Event("""{"xaxis.autorange": true, "yaxis.autorange": true}"""), out var reset));
        Assert.False(reset);

        Assert.Null(ChartWindow.Of(Event("""{"yaxis.range[0]": 0, "yaxis.range[1]": 1}"""), out var unchanged));
        Assert.True(unchanged);
    }
}

public class CheckListTests : ComponentTest
{
    [Fact]
    public void TickingABox_AddsItsChoice_InTheChoicesOrder()
    {
        IEnumerable<string> chosen = ["c"];
        var cut = Render<CheckList>(p => p.Add(c => c.Choices, ["a", "b", "c"]).Add(c => c.Label, "Letters").Add(c => c.Value, chosen)
            .Add(c => c.ValueChanged, value => chosen = value));

        Assert.Equal("Letters", cut.Find("[role=group]").GetAttribute("aria-label"));
        cut.FindAll("input[type=checkbox]")[0].Change(true);

        Assert.Equal(["a", "c"], chosen);
    }
}

public class ThemeModeTests : ComponentTest
{
    [Fact]
    public async Task TheToggle_SwitchesAndRemembersTheChoice()
    {
        JSInterop.SetupVoid("trackerTheme.set", "dark").SetVoidResult();
        var mode = new ThemeMode(JSInterop.JSRuntime);
        var changes = 0;
        mode.Changed += () => changes++;
        mode.Follow(dark: false, chosen: false);

        await mode.ToggleAsync();

        Assert.True(mode.IsDark);
        Assert.True(mode.Chosen);
        Assert.Equal(1, changes);
        JSInterop.VerifyInvoke("trackerTheme.set");
    }

    [Theory]
    [InlineData("dark", true)]
    [InlineData("light", false)]
    [InlineData(null, null)]
    public async Task TheStoredChoice_IsRead(string? stored, bool? dark)
    {
        JSInterop.Setup<string?>("trackerTheme.get").SetResult(stored);

        Assert.Equal(dark, await new ThemeMode(JSInterop.JSRuntime).StoredAsync());
    }

    [Fact]
    public void TheAppBarToggle_NamesWhatAClickDoes()
    {
        SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
        var cut = Render<ThemeToggle>();

        var button = cut.Find("[data-testid=theme-toggle]");
        Assert.Equal("Switch to dark mode", button.GetAttribute("aria-label"));
    }
}
