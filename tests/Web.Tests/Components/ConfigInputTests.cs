using Bunit;
using Tracker.Shared;
using Tracker.Web.Features.Runs.Forms;

namespace Tracker.Web.Tests.Components;

/// <summary>The new-run form's inputs as the table of config fields renders them.</summary>
public class ConfigInputTests : ComponentTest
{
    private readonly RunForm _form = new();
    private int _changes;

    private IRenderedComponent<ConfigInput> Input(string path, IReadOnlyList<string>? errors = null) =>
        Render<ConfigInput>(p => p
            .Add(i => i.Form, _form)
            .Add(i => i.Field, RunConfigFields.Find(path)!)
            .Add(i => i.Errors, errors ?? [])
            .Add(i => i.Changed, () => _changes++));

    [Theory]
    [InlineData("name", "Name")]
    [InlineData("epochs", "Epochs")]
    [InlineData("dropout.cutoffEpoch", "Dropout cutoff epoch")]
    [InlineData("gradClip", "Gradient clipping norm")]
    public void TheInput_IsNamedByItsPath_AndItsLabelPointsAtIt(string path, string label)
    {
        var cut = Input(path);

        var input = cut.Find($"input[name='{path}']");
        var labelElement = cut.Find("label");
        Assert.Equal(label, labelElement.TextContent.Trim());
        Assert.Equal(input.Id, labelElement.GetAttribute("for"));
    }

    [Fact]
    public void TypingANumber_SetsTheForm_AndTellsThePage()
    {
        var cut = Input("epochs");

        cut.Find("input[name=epochs]").Change("42");

        Assert.Equal(42, _form.Epochs);
        Assert.Equal(1, _changes);
    }

    [Fact]
    public void TypingText_SetsTheForm()
    {
        var cut = Input("tags");

        cut.Find("input[name=tags]").Change("paper, vit");

        Assert.Equal(["paper", "vit"], _form.ToConfig().Tags);
        Assert.Equal(1, _changes);
    }

    [Fact]
    public void ANestedField_EditsItsPart()
    {
        var cut = Input("dropout.rate");

        cut.Find("input[name='dropout.rate']").Change("0.25");

        Assert.Equal(0.25, _form.Dropout.Rate);
    }

    [Fact]
    public void Errors_MarkTheInputInvalid_AndAreReadWithIt()
    {
        var cut = Input("project", ["A project name is required."]);

        var input = cut.Find("input[name=project]");
        Assert.Equal("true", input.GetAttribute("aria-invalid"));
        Assert.Equal("project-errors", input.GetAttribute("aria-describedby"));
        Assert.Equal("A project name is required.", cut.Find("#project-errors").TextContent.Trim());
    }

    [Fact]
    public void ASectionSwitch_IsACheckBoxWithItsLabelAfterIt()
    {
        _form.RDropEnabled = true;

        var cut = Input("rDrop");

        var inline = cut.Find(".config-inline");
        Assert.Equal("Use R-Drop", inline.QuerySelector("label")!.TextContent.Trim());
        Assert.NotNull(inline.QuerySelector("input[name=rDrop]"));
        Assert.Empty(cut.FindAll(".config-label"));
    }
}
