using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Features.Sweeps;
using Tracker.Web.IntegrationTests.Support;

namespace Tracker.Web.IntegrationTests.Jobs;

/// <summary>The median stopping rule on a real sweep of tiny runs trained by the app's own worker, one at a time.</summary>
public sealed class SweepEarlyStoppingTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private readonly string _runsDirectory = Directory.CreateTempSubdirectory("tracker-runs-test-").FullName;

    public void Dispose() => Directory.Delete(_runsDirectory, recursive: true);

    private static RunConfig Tiny(string name, double lr, int epochs) => new()
    {
        Name = name, Model = "mlp", Dataset = "synthetic", TrainSubset = 64, BatchSize = 32, Epochs = epochs,
        Device = DeviceKind.Cpu, MaxStepsPerEpoch = 2, Lr = lr, Analysis = new AnalysisSettings { EverySteps = 0 },
    };

    private TrackerAppFactory Host(TestDatabase database)
    {
        var settings = database.AppSettings;
        settings["Jobs:RunsDirectory"] = _runsDirectory;
        settings["Jobs:Workers"] = "1";
        settings["Jobs:HeartbeatSeconds"] = "0.2";
        settings["Jobs:LeaseSeconds"] = "5";
        settings["Jobs:PollSeconds"] = "0.1";
        return new TrackerAppFactory(settings);
    }

    private static async Task<List<Run>> WaitForAllAsync(TestDatabase database, IReadOnlyList<long> runIds)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            await using (var context = database.CreateDbContext())
            {
                var runs = await context.Runs.AsNoTracking().Where(r => runIds.Contains(r.Id)).OrderBy(r => r.Id).ToListAsync();
                if (runs.All(r => r.FinishedAt is not null)) return runs;
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"Runs still unfinished after {Patience}: {string.Join(", ", runs.Select(r => $"{r.Id} {r.Status}"))}.");
            }
            await Task.Delay(100);
        }
    }

    [Theory, SqliteData, PostgresData]
    public async Task RunClearlyWorseThanCompletedOnes_IsStoppedAtTheFirstJudgedEpoch_WithTheReasonStored(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = Host(database);
        // Three runs that learn, queued first so they complete first; then one whose learning rate is so small that its
        // validation loss stays where it started, with epochs enough to be judged long before it would end.
        var plan = new PlannedSweep(SweepPlanner.Random,
            [Tiny("good-1", 1e-2, 3), Tiny("good-2", 1e-2, 3), Tiny("good-3", 1e-2, 3), Tiny("stalled", 1e-9, 300)],
            "{}", new MedianStopping(MetricKeys.ValLoss, MinimumCompletedRuns: 3, MinimumEpoch: 2));

        var submission = await host.Services.GetRequiredService<SweepSubmitter>().SubmitAsync(plan, user: null);
        Assert.True(submission.Succeeded, string.Join("; ", submission.Errors));
        var runs = await WaitForAllAsync(database, submission.RunIds);

        Assert.All(runs.Take(3), good => Assert.Equal((RunStatus.Succeeded, 3, (string?)null), (good.Status, good.EpochsCompleted, good.StoppedEarly)));
        var stalled = runs[3];
        Assert.Equal(RunStatus.Cancelled, stalled.Status);
        Assert.NotNull(stalled.StoppedEarly);
        Assert.StartsWith(SweepEarlyStopping.Prefix, stalled.StoppedEarly, StringComparison.Ordinal);
        Assert.Contains("val/loss", stalled.StoppedEarly, StringComparison.Ordinal);
        Assert.Contains("at epoch 2 is above the median", stalled.StoppedEarly, StringComparison.Ordinal);
        Assert.Contains("of 3 completed runs", stalled.StoppedEarly, StringComparison.Ordinal);
        // Stopped within a few epochs of the decision, far from its 300.
        Assert.InRange(stalled.EpochsCompleted, 2, 50);

        // The stored reason is the rule's own sentence for the values stored.
        await using var context = database.CreateDbContext();
        var atEpoch2 = await context.MetricPoints.Where(p => p.Key == MetricKeys.ValLoss && p.Epoch == 2 && submission.RunIds.Contains(p.RunId))
            .ToDictionaryAsync(p => p.RunId, p => p.Value);
        var expected = plan.EarlyStop!.Decide(runs.Take(3).Select(r => (IReadOnlyDictionary<int, double>)new Dictionary<int, double> { [2] = atEpoch2[r.Id] }).ToList(),
            2, atEpoch2[stalled.Id]);
        Assert.True(expected.Stop);
        Assert.Equal(SweepEarlyStopping.Prefix + expected.Explanation + ".", stalled.StoppedEarly);
    }

    [Theory, SqliteData]
    public async Task SweepWithoutTheRule_RunsEveryRunToTheEnd(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = Host(database);
        var plan = new PlannedSweep(SweepPlanner.Random,
            [Tiny("good-1", 1e-2, 2), Tiny("good-2", 1e-2, 2), Tiny("stalled", 1e-9, 4)], "{}", EarlyStop: null);

        var submission = await host.Services.GetRequiredService<SweepSubmitter>().SubmitAsync(plan, user: null);
        var runs = await WaitForAllAsync(database, submission.RunIds);

        Assert.All(runs, run => Assert.Equal((RunStatus.Succeeded, (string?)null), (run.Status, run.StoppedEarly)));
        Assert.Equal(4, runs[2].EpochsCompleted);
    }
}
