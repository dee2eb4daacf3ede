using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Support;
using Tracker.Web.Jobs;
using Tracker.Web.Features.Paper;

namespace Tracker.Web.IntegrationTests.Paper;

/// <summary>A fine-tune of a finished run, through the queue and the in-process worker.</summary>
public sealed class FineTuneRunTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly string _runsDirectory = Directory.CreateTempSubdirectory("tracker-runs-test-").FullName;

    public void Dispose() => Directory.Delete(_runsDirectory, recursive: true);

    private static RunConfig Tiny => new()
    {
        Name = "tiny parent", Model = KnownModels.Mlp, Dataset = KnownDatasets.Synthetic, TrainSubset = 64, BatchSize = 32, Epochs = 2,
        Device = DeviceKind.Cpu, MaxStepsPerEpoch = 2, Dropout = new DropSettings { Rate = 0.1 },
    };

    private TrackerAppFactory Host(TestDatabase database)
    {
        var settings = database.AppSettings;
        settings["Jobs:RunsDirectory"] = _runsDirectory;
        settings["Jobs:PollSeconds"] = "0.1";
        return new TrackerAppFactory(settings);
    }

    private static async Task<Run> WaitUntilFinishedAsync(TestDatabase database, long runId)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            await using (var context = database.CreateDbContext())
            {
                var run = await context.Runs.AsNoTracking().SingleAsync(r => r.Id == runId);
                if (!run.Status.IsActive()) return run;
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"Run {runId} is still {run.Status} after {Patience}.");
            }
            await Task.Delay(50);
        }
    }

    [Theory, SqliteData, PostgresData]
    public async Task FineTuneOfAFinishedRun_TrainsFromItsCheckpoint_AndStoresTheParent(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = Host(database);
        var queue = host.Services.GetRequiredService<RunSubmission>();
        var parentId = (await queue.SubmitAsync(Tiny)).RunId!.Value;
        Assert.Equal(RunStatus.Succeeded, (await WaitUntilFinishedAsync(database, parentId)).Status);
        Assert.True(host.Services.GetRequiredService<RunCheckpoints>().Exists(parentId));

        var fineTune = PaperPresets.FineTune(Tiny, parentId, new DownstreamTask(KnownDatasets.Synthetic, 32)) with { Epochs = 1, MaxStepsPerEpoch = 1 };
        var submitted = await queue.SubmitSweepAsync([fineTune, fineTune with { Seed = 1 }]);
        Assert.Empty(submitted.Errors);
        var children = new List<Run>();
        foreach (var id in submitted.RunIds) children.Add(await WaitUntilFinishedAsync(database, id));

        Assert.All(children, child => Assert.Equal((RunStatus.Succeeded, parentId, null), (child.Status, child.ParentRunId, child.Error)));
        Assert.All(children, child => Assert.Equal(Methods.NoDropout, child.Method));
        await using var context = database.CreateDbContext();
        var table = PaperTables.BuildDownstream(await PaperQueries.FineTunedRunsAsync(context, CancellationToken.None));
        var cell = Assert.Single(Assert.Single(table.Rows).Cells);
        Assert.Equal(submitted.RunIds.Order(), cell.RunIds);
        Assert.Equal(Methods.StandardDropout, table.Rows[0].ParentMethod);
    }

    [Theory, SqliteData, PostgresData]
    public async Task FineTuneOfAMissingOrUnfinishedRun_IsRefusedAtTheParentField(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var queued = await Runs.AddAsync(database);
        var queue = new RunSubmission(database, TimeProvider.System);
        var fineTune = PaperPresets.FineTune(Tiny, queued, new DownstreamTask(KnownDatasets.Synthetic, null));

        var result = await queue.SubmitSweepAsync([fineTune, fineTune with { ParentRunId = "999" }, fineTune with { ParentRunId = "run-7" }]);

        Assert.False(result.Succeeded);
        Assert.Equal([0, 1, 2], result.Errors.Select(e => e.Index));
        Assert.All(result.Errors, e => Assert.Equal("parentRunId", e.Error.Field));
        Assert.Contains("queued", result.Errors[0].Error.Message, StringComparison.Ordinal);
        Assert.Contains("no run 999", result.Errors[1].Error.Message, StringComparison.Ordinal);
        await using var context = database.CreateDbContext();
        Assert.Equal(1, await context.Runs.CountAsync()); // nothing stored
    }

    [Fact]
    public async Task FineTuneWithDropout_IsRefusedAtTheDropoutField()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await database.MigrateAsync();
        var queue = new RunSubmission(database, TimeProvider.System);

        var result = await queue.SubmitAsync(Tiny with { ParentRunId = "1" });

        Assert.Equal("dropout.rate", Assert.Single(result.Errors).Field);
    }
}
