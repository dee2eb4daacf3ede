using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Features.Runs;
using static Tracker.Web.Tests.Runs.RunView.LiveProgressTests;

namespace Tracker.Web.Tests.Runs.RunView;

public class ChartPlaceholdersTests
{
    [Fact]
    public void AQueuedRun_IsWaitingToStart()
    {
        var state = State(RunStatus.Queued);

        Assert.Equal(ChartPlaceholders.NotStarted, ChartPlaceholders.Epoch(state));
        Assert.Equal(ChartPlaceholders.NotStarted, ChartPlaceholders.Step(state, 5, alsoAtEpochEnds: true));
    }

    [Fact]
    public void ARunningRun_SaysTheStepOfTheFirstPoint()
    {
        var state = State(); // fashion-mnist, batch 128: 469 steps an epoch, a step event every 5

        Assert.Equal("First point at the end of epoch 1 (step 469).", ChartPlaceholders.Epoch(state));
        Assert.Equal("First point after step 5.", ChartPlaceholders.Step(state, state.Config.StepEventEvery, alsoAtEpochEnds: true));
        Assert.Equal("First point after step 100.", ChartPlaceholders.Step(state, 100, alsoAtEpochEnds: false));
        // Step events off: the epoch's end is the first point; analysis off as well: none will come.
        Assert.Equal("First point after step 469.", ChartPlaceholders.Step(state, 0, alsoAtEpochEnds: true));
    }

    [Fact]
    public void TheNextPointAfterTheStepReached_IsTheNextMultipleOfTheInterval()
    {
        var state = State();
        state.Apply(Step(130, 10));

        Assert.Equal("First point after step 200.", ChartPlaceholders.Step(state, 100, alsoAtEpochEnds: false));
    }

    [Fact]
    public void AnEndedRunWithoutPoints_SaysSo()
    {
        var state = State();
        state.Apply(new RunFinishedEvent { Status = RunOutcome.Diverged, Summary = new RunOutcomeSummary { Message = "The loss became NaN at step 2 (epoch 1)." } });

        Assert.Equal("The run diverged before the end of its first epoch.", ChartPlaceholders.Epoch(state));
        Assert.Equal(ChartPlaceholders.NoPoints, ChartPlaceholders.Step(state, 5, alsoAtEpochEnds: true));
    }
}
