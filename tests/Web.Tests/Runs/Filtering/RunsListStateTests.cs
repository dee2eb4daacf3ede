using Tracker.Shared;
using Tracker.Web.Features.Runs;
using Tracker.Web.Data;

namespace Tracker.Web.Tests.Runs.Filtering;

public class RunsListStateTests
{
    [Fact]
    public void DefaultView_WritesNoQueryString()
    {
        Assert.Equal("/runs", new RunsListState().ToUrl());
        Assert.Equal(new RunsListState(), RunsListState.FromQuery(null, null, null, null, null, null, null, null));
    }

    [Fact]
    public void QueryString_RoundTripsEveryPartOfTheState()
    {
        var state = new RunsListState("model = vit-nano AND val/acc > 80", "paper & co", RunStatus.Running, "fig 1", "early s.d.", RunSort.ValAcc, false, 3,
            ArchivedRuns.Include);

        var query = System.Web.HttpUtility.ParseQueryString(state.ToQueryString());
        var read = RunsListState.FromQuery(query["q"], query["project"], query["status"], query["tag"], query["method"], query["sort"], query["desc"],
            int.Parse(query["page"]!, System.Globalization.CultureInfo.InvariantCulture), query["archived"]);

        Assert.Equal(state, read);
        Assert.Equal(ArchivedRuns.Include, read.ToListQuery(null).Archived); // the list query asks for them too
        Assert.Equal("q=model%20%3D%20vit-nano%20AND%20val%2Facc%20%3E%2080&project=paper%20%26%20co&status=running&tag=fig%201&method=early%20s.d.&archived=include&sort=valAcc&desc=false&page=3",
            state.ToQueryString());
        Assert.DoesNotContain("page=", state.ToQueryString(withPage: false), StringComparison.Ordinal);
    }

    [Fact]
    public void ValuesThatDoNotParse_FallBackToTheDefault()
    {
        var state = RunsListState.FromQuery("  ", "", "sleeping", null, null, "colour", "maybe", -2, archived: "1");

        Assert.Equal(new RunsListState(), state);
    }

    [Fact]
    public void SortWithoutDirection_IsAscending()
    {
        Assert.False(RunsListState.FromQuery(null, null, null, null, null, "name", null, null).Descending);
    }

    [Fact]
    public void LiveRow_FollowsStartEpochAndFinish()
    {
        var row = new RunListItem(1, "r", "p", "mlp", "synthetic", "no dropout", RunStatus.Queued, [], 0, 0, 4, DateTime.UtcNow, null, null, null, null);

        row = LiveRunRow.Apply(row, new RunStartedEvent { Config = new RunConfig(), Device = "cpu", ParameterCount = 1 });
        Assert.Equal(RunStatus.Running, row.Status);
        row = LiveRunRow.Apply(row, new EpochEvent { Epoch = 1, Step = 10, EpochSeconds = 1, Metrics = new Dictionary<string, double> { [MetricKeys.ValAcc] = 70, [MetricKeys.ValLoss] = 0.9 } });
        row = LiveRunRow.Apply(row, new EpochEvent { Epoch = 2, Step = 20, EpochSeconds = 2, Metrics = new Dictionary<string, double> { [MetricKeys.ValAcc] = 65, [MetricKeys.ValLoss] = 0.7 } });
        Assert.Equal((2, 0.5, 70.0, 0.7), (row.EpochsCompleted, row.Progress, row.BestValAcc, row.BestValLoss));

        row = LiveRunRow.Apply(row, new RunFinishedEvent { Status = RunOutcome.Cancelled, Summary = new RunOutcomeSummary() });
        Assert.Equal((RunStatus.Cancelled, 0.5), (row.Status, row.Progress));
        Assert.NotNull(row.Finished);
    }
}
