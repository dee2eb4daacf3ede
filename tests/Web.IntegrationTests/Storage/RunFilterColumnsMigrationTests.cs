using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Support;

namespace Tracker.Web.IntegrationTests.Storage;

/// <summary>The migration that promotes config fields to columns fills them for runs stored before it.</summary>
public class RunFilterColumnsMigrationTests
{
    [Theory, SqliteData, PostgresData]
    public async Task RunsStoredBeforeTheMigration_GetTheirConfigColumnsFromTheirJson(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var early = new RunConfig
        {
            Name = "old early", Lr = 3e-4, Epochs = 12, BatchSize = 64, Seed = 7, Optimizer = OptimizerKind.Sgd, WeightDecay = 0.01,
            WarmupEpochs = 2, LabelSmoothing = 0.1, L1 = 1e-5, L2 = 2e-4, TrainSubset = 500,
            Dropout = new DropSettings { Rate = 0.15, Mode = DropMode.Early, Schedule = DropSchedule.Linear, CutoffEpoch = 4 },
            DropPath = new DropSettings { Rate = 0.05, Mode = DropMode.Late, CutoffEpoch = 6 },
            RDrop = new RDropSettings { Alpha = 0.7 }, DropConnect = new DropConnectSettings { Rate = 0.3 },
        };
        var plain = new RunConfig { Name = "old plain" };
        await using (var context = database.CreateDbContext())
        {
            await context.GetService<IMigrator>().MigrateAsync("20261122000000_Initial");
            await context.Database.ExecuteSqlRawAsync("""INSERT INTO "Projects" ("Name", "CreatedAt") VALUES ('old', {0})""", Support.Runs.Created);
            foreach (var config in new[] { early, plain })
                await context.Database.ExecuteSqlRawAsync("""
                    INSERT INTO "Runs" ("ProjectId", "Name", "Config", "Method", "Model", "Dataset", "Status", "Tags", "CreatedAt", "EpochsCompleted", "Progress")
                    SELECT "Id", {0}, {1}, 'm', 'mlp', 'synthetic', 'Queued', {2}, {3}, 0, 0 FROM "Projects"
                    """, config.Name, RunConfigJson.Serialize(config), provider == DatabaseProvider.Sqlite ? "[]" : new List<string>(), Support.Runs.Created);
        }

        await database.MigrateAsync();

        await using var migrated = database.CreateDbContext();
        var runs = await migrated.Runs.AsNoTracking().OrderBy(r => r.Name).ToListAsync();
        Assert.Equal(2, runs.Count);
        foreach (var run in runs)
        {
            var expected = Run.FromConfig(run.Config, new Project { Name = "old" }, Support.Runs.Created);
            Assert.Equal(ConfigColumns(expected), ConfigColumns(run));
        }
        Assert.Equal((0.15, "early", "linear", (int?)4, 0.7, (int?)500), (runs[0].DropoutRate, runs[0].DropoutMode, runs[0].DropoutSchedule, runs[0].DropoutCutoffEpoch, runs[0].RDropAlpha!.Value, runs[0].TrainSubset));
        Assert.Equal(((double?)null, (double?)null, "adamw", "standard"), (runs[1].RDropAlpha, runs[1].DropConnectRate, runs[1].Optimizer, runs[1].DropPathMode));
    }

    private static string ConfigColumns(Run run) => string.Join(", ",
        run.Lr, run.Epochs, run.BatchSize, run.Seed, run.Optimizer, run.WeightDecay, run.WarmupEpochs, run.LabelSmoothing,
        run.DropoutRate, run.DropoutMode, run.DropoutSchedule, run.DropoutCutoffEpoch,
        run.DropPathRate, run.DropPathMode, run.DropPathSchedule, run.DropPathCutoffEpoch,
        run.RDropAlpha, run.DropConnectRate, run.L1, run.L2, run.TrainSubset);
}
