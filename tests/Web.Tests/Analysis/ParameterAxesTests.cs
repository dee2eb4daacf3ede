using System.Text.Json;
using Tracker.Web.Features.Analysis;

namespace Tracker.Web.Tests.Analysis;

public class ParameterAxesTests
{
    private static ParameterRun Run(long id, string lr, string model, double? acc) => new(id, $"run-{id}", "Succeeded",
        new Dictionary<string, string> { ["lr"] = lr, ["model"] = model },
        acc is { } a ? new Dictionary<string, double> { ["val/acc"] = a } : new Dictionary<string, double>());

    private static readonly ParameterRun[] Runs = [Run(1, "0.001", "mlp", 80), Run(2, "0.01", "convnet", 60), Run(3, "0.1", "mlp", null)];

    [Fact]
    public void NumericField_KeepsItsValues_TextFieldBecomesSortedPositions_MissingIsNaN()
    {
        var lr = ParameterAxis.Of("lr", Runs);
        var model = ParameterAxis.Of("model", Runs);
        var acc = ParameterAxis.Of("val/acc", Runs);

        Assert.Equal([0.001, 0.01, 0.1], lr.Values);
        Assert.False(lr.IsCategorical);
        Assert.Equal(["convnet", "mlp"], model.Categories!);
        Assert.Equal([1.0, 0.0, 1.0], model.Values);
        Assert.Equal(80, acc.Values[0]);
        Assert.True(double.IsNaN(acc.Values[2]));
    }

    [Fact]
    public void Brush_KeepsRunsInsideEveryBrushedAxis_AnyOfAnAxissIntervals()
    {
        var axes = new[] { ParameterAxis.Of("lr", Runs), ParameterAxis.Of("model", Runs), ParameterAxis.Of("val/acc", Runs) };
        var brush = new ParameterBrush();
        Assert.Equal([0, 1, 2], brush.Select(axes, Runs.Length));

        brush.Set(0, [(0.005, 0.2)]);
        Assert.Equal([1, 2], brush.Select(axes, Runs.Length));
        brush.Set(1, [(0.5, 1.5)]);
        Assert.Equal([2], brush.Select(axes, Runs.Length));
        // A run without the metric is outside any range brushed on it.
        brush.Set(2, [(0, 100)]);
        Assert.Empty(brush.Select(axes, Runs.Length));
        brush.Set(2, []);
        brush.Set(0, [(0.2, 0.005), (0.0005, 0.002)]);
        Assert.Equal([0, 2], brush.Select(axes, Runs.Length));
    }

    [Theory]
    [InlineData("[[0.1, 0.4]]", "0.1-0.4")]
    [InlineData("[0.1, 0.4]", "0.1-0.4")]
    [InlineData("[[[0.1, 0.4], [0.6, 0.9]]]", "0.1-0.4 0.6-0.9")]
    [InlineData("[null]", "")]
    [InlineData("null", "")]
    public void ConstraintRange_OfARestyleEvent_ReadsAsIntervals(string json, string expected)
    {
        var intervals = ParametersPage.Intervals(JsonDocument.Parse(json).RootElement);

        Assert.Equal(expected, string.Join(" ", intervals.Select(i => FormattableString.Invariant($"{i.Low}-{i.High}"))));
    }
}
