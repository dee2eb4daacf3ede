using Bunit;
using Tracker.Web.Components.Library;
using Tracker.Web.Data;

namespace Tracker.Web.Tests.Components;

public class RunStatusBadgeTests : ComponentTest
{
    [Theory]
    [InlineData(RunStatus.Queued, "queued", "rz-badge-light")]
    [InlineData(RunStatus.Running, "running", "rz-badge-info")]
    [InlineData(RunStatus.Succeeded, "succeeded", "rz-badge-success")]
    [InlineData(RunStatus.Failed, "failed", "rz-badge-danger")]
    [InlineData(RunStatus.Diverged, "diverged", "rz-badge-danger")]
    [InlineData(RunStatus.Cancelled, "cancelled", "rz-badge-warning")]
    public void EachStatus_HasItsWordAndColour(RunStatus status, string word, string styleClass)
    {
        var badge = Render<RunStatusBadge>(p => p.Add(b => b.Status, status)).Find(".rz-badge");

        Assert.Equal(word, badge.TextContent.Trim());
        Assert.Contains(styleClass, badge.ClassList);
    }

    [Fact]
    public void ExtraAttributes_ReachTheBadge()
    {
        var badge = Render<RunStatusBadge>(p => p.Add(b => b.Status, RunStatus.Failed).AddUnmatched("title", "out of memory")).Find(".rz-badge");

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
        var cut = Render<ConfigField>(p => p.Add(f => f.Path, "lr").Add(f => f.Label, "Learning rate").Add(f => f.Inline, true));

        var label = cut.Find("label");
        Assert.Equal("lr", label.GetAttribute("for"));
        Assert.Equal("Learning rate", label.TextContent.Trim());
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
    // Radzen's chart measures itself through JavaScript; what is tested here is the figure around it.
    public MetricChartTests() => ComponentFactories.AddStub<Radzen.Blazor.RadzenChart>();

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
