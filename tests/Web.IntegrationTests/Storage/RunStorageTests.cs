using Microsoft.EntityFrameworkCore;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Support;

namespace Tracker.Web.IntegrationTests.Storage;

public class RunStorageTests
{
    // Whole microseconds: PostgreSQL keeps no finer time.
    private static readonly DateTime Started = new DateTime(2026, 3, 1, 12, 30, 5, DateTimeKind.Utc).AddTicks(1_234_560);

    [Theory, SqliteData, PostgresData]
    public async Task Run_RoundTrips_WithItsConfigAndColumns(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var config = new RunConfig
        {
            Name = "vit early dropout",
            Project = "paper",
            Tags = ["figure-1", "vit"],
            Model = KnownModels.VitNano,
            Epochs = 30,
            Lr = 3e-4,
            Dropout = new DropSettings { Rate = 0.1, Mode = DropMode.Early, Schedule = DropSchedule.Linear, CutoffEpoch = 5 },
            RDrop = new RDropSettings { Alpha = 0.5 },
            EarlyStopping = new EarlyStoppingSettings { Metric = MetricKeys.ValAcc, Patience = 3, Mode = MetricMode.Max },
        };

        long id, parentId;
        await using (var context = database.CreateDbContext())
        {
            var project = new Project { Name = config.Project, Description = "Liu et al. 2023", CreatedAt = Runs.Created };
            var parent = Run.FromConfig(new RunConfig { Name = "parent" }, project, Runs.Created);
            var run = Run.FromConfig(config, project, Runs.Created);
            run.ParentRun = parent;
            run.Owner = "ada";
            run.Notes = "first try";
            run.SweepId = "sweep-7";
            run.Status = RunStatus.Running;
            run.StartedAt = Started;
            run.EpochsCompleted = 4;
            run.Progress = 0.125;
            context.Runs.AddRange(parent, run);
            await context.SaveChangesAsync();
            (id, parentId) = (run.Id, parent.Id);
        }

        await using var reader = database.CreateDbContext();
        var stored = await reader.Runs.Include(r => r.Project).SingleAsync(r => r.Id == id);

        Assert.Equal(RunConfigJson.Serialize(config), RunConfigJson.Serialize(stored.Config));
        Assert.Equal(config, stored.Config with { Tags = config.Tags });
        Assert.Equal(config.Tags, stored.Config.Tags);
        Assert.Equal(Methods.Describe(config), stored.Method);
        Assert.Equal((config.Name, config.Model, config.Dataset), (stored.Name, stored.Model, stored.Dataset));
        Assert.Equal(config.Tags, stored.Tags);
        Assert.Equal((RunStatus.Running, "ada", "first try", "sweep-7"), (stored.Status, stored.Owner, stored.Notes, stored.SweepId));
        Assert.Equal((4, 0.125), (stored.EpochsCompleted, stored.Progress));
        Assert.Equal(parentId, stored.ParentRunId);
        Assert.Equal("paper", stored.Project!.Name);
        Assert.Equal(Started, stored.StartedAt);
        Assert.Equal(DateTimeKind.Utc, stored.StartedAt!.Value.Kind);
        Assert.Equal(DateTimeKind.Utc, stored.CreatedAt.Kind);
        Assert.Null(stored.FinishedAt);
    }

    [Theory, SqliteData, PostgresData]
    public async Task Runs_FilterByTagAndStatus_InTheDatabase(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        await using (var context = database.CreateDbContext())
        {
            var project = new Project { Name = "p", CreatedAt = Runs.Created };
            context.Runs.AddRange(
                Run.FromConfig(new RunConfig { Name = "a", Tags = ["baseline"] }, project, Runs.Created),
                Run.FromConfig(new RunConfig { Name = "b", Tags = ["early", "vit"] }, project, Runs.Created.AddMinutes(1)),
                Run.FromConfig(new RunConfig { Name = "c", Tags = ["vit"] }, project, Runs.Created.AddMinutes(2)));
            await context.SaveChangesAsync();
            await context.Runs.Where(r => r.Name == "c").ExecuteUpdateAsync(set => set.SetProperty(r => r.Status, RunStatus.Failed));
        }

        await using var reader = database.CreateDbContext();
        var tagged = await reader.Runs.Where(r => r.Tags.Contains("vit")).OrderByDescending(r => r.CreatedAt).Select(r => r.Name).ToListAsync();
        var queued = await reader.Runs.Where(r => r.Status == RunStatus.Queued).OrderBy(r => r.Name).Select(r => r.Name).ToListAsync();

        Assert.Equal(["c", "b"], tagged);
        Assert.Equal(["a", "b"], queued);
    }

    [Theory, SqliteData, PostgresData]
    public async Task LocalTimes_AreRefused_OnEveryProvider(DatabaseProvider provider)
    {
        // PostgreSQL's timestamptz refuses them; SQLite would store them silently, so the model refuses them too.
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        await using var context = database.CreateDbContext();
        context.Projects.Add(new Project { Name = "local", CreatedAt = DateTime.Now });

        var error = await Record.ExceptionAsync(() => context.SaveChangesAsync());

        Assert.NotNull(error);
        Assert.Contains("UTC", error.ToString(), StringComparison.Ordinal);
    }

    [Theory, SqliteData, PostgresData]
    public async Task DeletingARun_DeletesItsPointsSummariesAndJob_AndUnlinksItsChildren(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var parentId = await Runs.AddAsync(database);
        await new MetricWriter(database).AppendAsync([new MetricPoint { RunId = parentId, Key = MetricKeys.TrainLoss, Step = 1, Value = 2.0, Time = Runs.Created }]);
        long childId;
        await using (var context = database.CreateDbContext())
        {
            var parent = await context.Runs.Include(r => r.Project).SingleAsync(r => r.Id == parentId);
            var child = Run.FromConfig(new RunConfig { Name = "child" }, parent.Project!, Runs.Created);
            child.ParentRunId = parentId;
            context.Runs.Add(child);
            context.Jobs.Add(new Job { RunId = parentId, EnqueuedAt = Runs.Created });
            await context.SaveChangesAsync();
            childId = child.Id;
        }

        await using (var context = database.CreateDbContext())
            // The database's cascades are what is tested; EF's ExecuteDelete refuses an entity split over two tables.
            await context.Database.ExecuteSqlRawAsync("""DELETE FROM "Runs" WHERE "Id" = {0}""", parentId);

        await using var reader = database.CreateDbContext();
        Assert.Equal(0, await reader.MetricPoints.CountAsync());
        Assert.Equal(0, await reader.RunSummaries.CountAsync());
        Assert.Equal(0, await reader.Jobs.CountAsync());
        Assert.Null((await reader.Runs.SingleAsync(r => r.Id == childId)).ParentRunId);
    }
}
