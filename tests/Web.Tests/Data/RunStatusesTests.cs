using Tracker.Shared;
using Tracker.Web.Data;

namespace Tracker.Web.Tests.Data;

public class RunStatusesTests
{
    [Theory]
    [InlineData(RunOutcome.Succeeded, RunStatus.Succeeded)]
    [InlineData(RunOutcome.Cancelled, RunStatus.Cancelled)]
    [InlineData(RunOutcome.Diverged, RunStatus.Diverged)]
    [InlineData(RunOutcome.Failed, RunStatus.Failed)]
    public void FromOutcome_MapsEachOutcome(RunOutcome outcome, RunStatus expected) =>
        Assert.Equal(expected, RunStatuses.FromOutcome(outcome, RunStatus.Running));

    [Fact]
    public void FromOutcome_KeepsACancelAlreadyRecorded() =>
        Assert.Equal(RunStatus.Cancelled, RunStatuses.FromOutcome(RunOutcome.Succeeded, RunStatus.Cancelled));

    [Fact]
    public void OnlyQueuedAndRunning_AreActive() =>
        Assert.Equal([RunStatus.Queued, RunStatus.Running], Enum.GetValues<RunStatus>().Where(s => s.IsActive()));

    [Theory]
    [InlineData(3, 10, null, 0.3)]
    [InlineData(12, 10, null, 1.0)]
    [InlineData(0, 0, null, 0.0)]
    [InlineData(4, 10, RunStatus.Succeeded, 1.0)] // stopped early, but done
    public void Progress_IsEpochsOverPlanned(int completed, int planned, RunStatus? status, double expected) =>
        Assert.Equal(expected, RunStatuses.Progress(completed, planned, status), 9);
}
