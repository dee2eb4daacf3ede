using Tracker.Shared;
using Tracker.Web.Features.Runs;

namespace Tracker.Web.Tests.Runs;

/// <summary>The /runs column chooser's columns as the URL (and so a saved view) holds them, and the bulk action's summary line.</summary>
public class RunColumnsTests
{
    [Fact]
    public void ChosenColumns_RoundTripThroughTheUrl_InOrder()
    {
        var state = new RunsListState(Project: "p").WithColumns(
            [new RunColumn(RunColumnKind.Metric, MetricKeys.ValLoss), new RunColumn(RunColumnKind.Config, "lr"), new RunColumn(RunColumnKind.Metric, "lr")]);

        var query = System.Web.HttpUtility.ParseQueryString(state.ToQueryString());
        var read = RunsListState.FromQuery(null, query["project"], null, null, null, null, null, null, columns: query["cols"]);

        Assert.Equal("metric:val/loss,config:lr,metric:lr", query["cols"]);
        Assert.Equal(state, read);
        Assert.Equal([RunColumnKind.Metric, RunColumnKind.Config, RunColumnKind.Metric], read.ColumnList.Select(c => c.Kind));
        // Columns change what is shown, not which runs: a bulk action on "all matching" is unaffected.
        Assert.True(read.SameRunsAs(new RunsListState(Project: "p")));
    }

    [Fact]
    public void UnknownColumns_AreDropped_AndNoneWritesNothing()
    {
        var columns = RunColumn.ParseList("config:nonsense,lr,metric:,config:seed,config:seed,metric:val/acc");

        Assert.Equal(["config:seed", "metric:val/acc"], columns.Select(c => c.Id));
        Assert.Equal("/runs", new RunsListState().WithColumns([]).ToUrl());
        Assert.Equal(RunColumn.MaxColumns, RunColumn.ParseList(string.Join(',', RunColumns.ConfigChoices.Select(c => c.Id))).Count);
    }

    [Fact]
    public void ColumnTitles_SayWhichSummaryAMetricShows()
    {
        Assert.Equal("Learning rate", new RunColumn(RunColumnKind.Config, "lr").Title);
        Assert.Equal("val/acc (best)", new RunColumn(RunColumnKind.Metric, MetricKeys.ValAcc).Title);
        Assert.Equal("lr (last)", new RunColumn(RunColumnKind.Metric, MetricKeys.LearningRate).Title);
        // Every config field can be a column.
        Assert.All(RunColumns.ConfigChoices, c => Assert.Equal(c, RunColumn.Parse(c.Id)));
    }

    [Fact]
    public void ABulkResult_IsSummedUpByOutcome()
    {
        var result = new BulkRunResult(BulkAction.Delete, 4, new Dictionary<string, int>(),
        [
            new(1, RunActionOutcome.Done), new(2, RunActionOutcome.Done), new(3, RunActionOutcome.NotYours), new(4, RunActionOutcome.StillActive),
        ]);

        var (text, anyRefused) = RunsList.Describe(result);

        Assert.Equal("Moved to the trash: 2 runs; 1 someone else's (left alone); 1 still queued or running (cancel them first).", text);
        Assert.True(anyRefused);
        Assert.False(RunsList.Describe(result with { Runs = [new(1, RunActionOutcome.StopRequested)], Action = BulkAction.Cancel }).AnyRefused);
    }
}
