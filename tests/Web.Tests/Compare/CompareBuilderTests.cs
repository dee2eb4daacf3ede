using Tracker.Shared;
using Tracker.Web.Features.Compare;
using Tracker.Web.Data;

namespace Tracker.Web.Tests.Compare;

public class CompareBuilderTests
{
    private static readonly DateTime Start = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    private static ComparedRun Run(long id, RunConfig config) =>
        new(id, $"run-{id}", Methods.Describe(config), RunStatus.Succeeded, Start, ConfigFields.Flatten(config));

    private static IEnumerable<RawPoint> Epochs(long runId, string key, params double[] values) =>
        values.Select((value, i) => new RawPoint(runId, key, (i + 1) * 10, i + 1, value, Start.AddSeconds(i + 1)));

    [Fact]
    public void WithoutGrouping_EachRunIsASeries_InTheOrderOfTheUrl_AndMissingRunsAreNamed()
    {
        var state = CompareState.FromQuery("runs=2,99,1&metrics=val/acc");
        ComparedRun[] runs = [Run(1, new RunConfig { Seed = 1 }), Run(2, new RunConfig { Seed = 2 })];
        RawPoint[] points = [.. Epochs(1, MetricKeys.ValAcc, 50, 60), .. Epochs(2, MetricKeys.ValAcc, 40, 70, 65)];

        var result = CompareBuilder.Build(state, runs, points, [MetricKeys.ValAcc]);

        Assert.Equal([2L, 1L], result.Runs.Select(r => r.Id));
        Assert.Equal([99L], result.MissingRuns);
        var chart = Assert.Single(result.Charts);
        Assert.Equal(["#2 run-2", "#1 run-1"], chart.Series.Select(s => s.Name));
        Assert.Equal([40.0, 70.0, 65.0], chart.Series[0].Points.Select(p => p.Mean));
        Assert.All(chart.Series, s => Assert.False(s.IsGroup));
        // Final is the last value; best of an accuracy is its maximum.
        Assert.Equal(65, result.Summary[0].Cells[0].Final);
        Assert.Equal(70, result.Summary[0].Cells[0].Best);
        Assert.Equal(1, result.Summary[0].Cells[0].N);
    }

    [Fact]
    public void GroupedByAConfigField_EachGroupIsItsRunsMeanWithTheirSpread()
    {
        var state = CompareState.FromQuery("runs=1,2,3&metrics=val/loss&group=dropout.rate");
        ComparedRun[] runs =
        [
            Run(1, new RunConfig { Seed = 1, Dropout = new DropSettings { Rate = 0.1 } }),
            Run(2, new RunConfig { Seed = 2, Dropout = new DropSettings { Rate = 0.1 } }),
            Run(3, new RunConfig { Seed = 1 }),
        ];
        RawPoint[] points = [.. Epochs(1, MetricKeys.ValLoss, 1.0, 0.5), .. Epochs(2, MetricKeys.ValLoss, 3.0, 0.7), .. Epochs(3, MetricKeys.ValLoss, 2.0, 1.0)];

        var result = CompareBuilder.Build(state, runs, points, [MetricKeys.ValLoss]);

        var series = result.Charts.Single().Series;
        Assert.Equal(["dropout.rate=0.1", "dropout.rate=0"], series.Select(s => s.Name));
        Assert.True(series[0].IsGroup);
        Assert.Equal([1L, 2L], series[0].RunIds);
        Assert.Equal([2.0, 0.6], series[0].Points.Select(p => p.Mean), new ToleranceComparer());
        Assert.Equal([Math.Sqrt(2), Math.Sqrt(0.02)], series[0].Points.Select(p => p.Std), new ToleranceComparer());
        Assert.Equal([2, 2], series[0].Points.Select(p => p.N));

        var cell = result.Summary[0].Cells[0];
        Assert.Equal(2, cell.N);
        Assert.Equal(0.6, cell.Final!.Value, 12);
        Assert.Equal(Math.Sqrt(0.02), cell.FinalStd, 12);
        // Best of a loss is its minimum: 0.5 and 0.7.
        Assert.Equal(0.6, cell.Best!.Value, 12);
    }

    [Fact]
    public void Smoothing_AppliesToTheLines_NotToTheFinalAndBestValues()
    {
        var state = CompareState.FromQuery("runs=1&metrics=train/loss&smooth=0.5");
        var result = CompareBuilder.Build(state, [Run(1, new RunConfig())], [.. Epochs(1, MetricKeys.TrainLoss, 1, 3, 5)], []);

        Assert.Equal([1.0, 2.0, 3.5], result.Charts[0].Series[0].Points.Select(p => p.Mean));
        Assert.Equal(5, result.Summary[0].Cells[0].Final);
        Assert.Equal(1, result.Summary[0].Cells[0].Best);
    }

    [Fact]
    public void AMetricNoRunRecorded_HasAnEmptyChartAndNoValues()
    {
        var state = CompareState.FromQuery("runs=1&metrics=grad/norm");

        var result = CompareBuilder.Build(state, [Run(1, new RunConfig())], [], []);

        Assert.Empty(result.Charts.Single().Series);
        Assert.Null(result.Summary.Single().Cells.Single().Final);
    }

    private sealed class ToleranceComparer : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < 1e-9;
        public int GetHashCode(double obj) => 0;
    }
}
