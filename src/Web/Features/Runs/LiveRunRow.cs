using Tracker.Shared;
using Tracker.Web.Data;

namespace Tracker.Web.Features.Runs;

/// <summary>
/// What a training event changes in a listed run, so a visible row moves as the run trains without a database query.
/// It mirrors what the event sink and the queue store (progress per finished epoch, the best val/acc, the final status),
/// so a reload shows the same numbers.
/// </summary>
public static class LiveRunRow
{
    public static RunListItem Apply(RunListItem row, TrainingEvent trainingEvent)
    {
        ArgumentNullException.ThrowIfNull(row);
        return trainingEvent switch
        {
            RunStartedEvent started => row with { Status = RunStatus.Running, Started = row.Started ?? started.Time.UtcDateTime },
            EpochEvent epoch => row with
            {
                Status = RunStatus.Running,
                EpochsCompleted = epoch.Epoch,
                Progress = RunStatuses.Progress(epoch.Epoch, row.Epochs),
                BestValAcc = Best(row.BestValAcc, epoch.Metrics.GetValueOrDefault(MetricKeys.ValAcc, double.NaN), Math.Max),
                BestValLoss = Best(row.BestValLoss, epoch.Metrics.GetValueOrDefault(MetricKeys.ValLoss, double.NaN), Math.Min),
            },
            RunFinishedEvent finished => row with
            {
                Status = RunStatuses.FromOutcome(finished.Status, row.Status),
                Progress = RunStatuses.FromOutcome(finished.Status, row.Status) == RunStatus.Succeeded ? 1 : row.Progress,
                Finished = finished.Time.UtcDateTime,
            },
            _ => row,
        };
    }

    private static double? Best(double? current, double value, Func<double, double, double> better) =>
        double.IsNaN(value) ? current : current is { } known ? better(known, value) : value;
}
