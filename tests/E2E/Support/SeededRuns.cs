using Tracker.Shared;
using Tracker.Web.Data;
using RunSummary = Tracker.Web.Data.RunSummary;

namespace Tracker.E2E.Support;

/// <summary>
/// Finished runs written straight into the app's database: config, status, two epochs of val/acc and train/loss, and
/// their summaries, as the metric writer would leave them. For pages that judge finished runs, where training six real
/// runs would only add minutes.
/// </summary>
public static class SeededRuns
{
    private static readonly DateTime Created = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    /// <summary>Adds one succeeded run per config whose final val/acc is the paired value; returns their ids in order.</summary>
    public static async Task<List<long>> AddAsync(AppInChromium fixture, IReadOnlyList<(RunConfig Config, double FinalValAcc)> runs)
    {
        await using var context = fixture.CreateDbContext();
        var project = context.Projects.FirstOrDefault(p => p.Name == "e2e-seeded") ?? new Project { Name = "e2e-seeded", CreatedAt = Created };
        var entities = runs.Select(r =>
        {
            var run = Run.FromConfig(r.Config, project, Created);
            run.Status = RunStatus.Succeeded;
            run.StartedAt = Created;
            run.FinishedAt = Created.AddMinutes(1);
            return run;
        }).ToList();
        context.Runs.AddRange(entities);
        await context.SaveChangesAsync();
        foreach (var (run, (_, final)) in entities.Zip(runs))
        {
            context.MetricPoints.AddRange(
                Point(run.Id, MetricKeys.ValAcc, 1, final - 10), Point(run.Id, MetricKeys.ValAcc, 2, final),
                Point(run.Id, MetricKeys.TrainLoss, 1, 1.0), Point(run.Id, MetricKeys.TrainLoss, 2, 0.5));
            context.RunSummaries.AddRange(
                new RunSummary { RunId = run.Id, Key = MetricKeys.ValAcc, Last = final, LastStep = 2, Min = final - 10, Max = final, Count = 2 },
                new RunSummary { RunId = run.Id, Key = MetricKeys.TrainLoss, Last = 0.5, LastStep = 2, Min = 0.5, Max = 1.0, Count = 2 });
        }
        await context.SaveChangesAsync();
        return entities.Select(r => r.Id).ToList();
    }

    private static MetricPoint Point(long runId, string key, int epoch, double value) =>
        new() { RunId = runId, Key = key, Step = epoch, Epoch = epoch, Value = value, Time = Created.AddSeconds(epoch) };
}
