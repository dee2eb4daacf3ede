using System.Text.Json;
using Tracker.Shared;
using Tracker.Web.Features.Sweeps;

namespace Tracker.Web.Tests.Sweeps;

public class SweepPlannerTests
{
    private static readonly RunConfig Base = new() { Name = "base", Model = KnownModels.Mlp, Dataset = KnownDatasets.Synthetic, Dropout = new DropSettings { Rate = 0.1 } };

    [Fact]
    public void RandomPlan_SetsEachDrawnValueAtItsPath_AndNamesRunsInOrder()
    {
        var space = new[] { SearchParameter.LogUniform("lr", 1e-4, 1e-2), SearchParameter.Choice("rDrop.alpha", 0.5, 2.0) };

        var plan = SweepPlanner.PlanRandom(Base, space, seed: 5, runs: 4, earlyStop: null);

        Assert.Empty(plan.Errors);
        var draws = RandomSearch.Sample(space, 5, 4);
        Assert.Equal(draws.Select(d => (double)d["lr"]), plan.Sweep!.Configs.Select(c => c.Lr));
        // A path under a switched-off regularizer switches it on with the drawn value.
        Assert.Equal(draws.Select(d => (double)d["rDrop.alpha"]), plan.Sweep.Configs.Select(c => c.RDrop!.Alpha));
        Assert.Equal(["base-r1", "base-r2", "base-r3", "base-r4"], plan.Sweep.Configs.Select(c => c.Name));
        Assert.Equal(SweepPlanner.Random, plan.Sweep.Kind);
        Assert.Equal(5, JsonDocument.Parse(plan.Sweep.Definition).RootElement.GetProperty("seed").GetInt32());
    }

    [Fact]
    public void RandomPlan_PlacesEachProblemOnItsInput()
    {
        var space = new[] { new SearchParameter("", ParameterKind.Uniform, 0, 1, []), SearchParameter.LogUniform("lr", -1, 1), SearchParameter.Choice("model"),
            SearchParameter.Uniform("epochs", 1, 5) };

        var plan = SweepPlanner.PlanRandom(Base, space, seed: 1, runs: 0, earlyStop: null);

        Assert.Null(plan.Sweep);
        Assert.Equal(["search.maxRuns", "search.parameters[0].path", "search.parameters[1].low", "search.parameters[2].choices"],
            plan.Errors.Select(e => e.Field).Distinct());
    }

    [Fact]
    public void RandomPlan_NamesAWholeNumberFieldSearchedWithFractions()
    {
        var plan = SweepPlanner.PlanRandom(Base, [SearchParameter.Uniform("epochs", 1.5, 5)], seed: 1, runs: 2, earlyStop: null);

        var error = Assert.Single(plan.Errors);
        Assert.Equal("search.parameters[0].path", error.Field);
        Assert.Contains("epochs", error.Message, StringComparison.Ordinal);
    }
}
