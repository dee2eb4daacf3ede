using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Support;

namespace Tracker.Web.IntegrationTests.Storage;

/// <summary>The migration that moves the config JSON out of Runs into RunConfigs keeps every stored run whole.</summary>
public class RunConfigsMigrationTests
{
    [Theory, SqliteData, PostgresData]
    public async Task RunsStoredBeforeTheMigration_KeepTheirExactConfigAndTheirRows(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var parent = new RunConfig
        {
            Name = "old parent", Lr = 3e-4, Epochs = 12, Seed = 7, Tags = ["fig1"], Optimizer = OptimizerKind.Sgd,
            Dropout = new DropSettings { Rate = 0.15, Mode = DropMode.Early, Schedule = DropSchedule.Linear, CutoffEpoch = 4 },
            RDrop = new RDropSettings { Alpha = 0.7 }, DropConnect = new DropConnectSettings { Rate = 0.3 }, TrainSubset = 500,
        };
        var child = new RunConfig { Name = "old child's \"quoted\" name", Tags = ["ünïcode"] };
        var stored = new Dictionary<string, string>
        {
            // Indented text too: what is stored comes back character for character.
            [parent.Name] = RunConfigJson.Serialize(parent, true),
            [child.Name] = RunConfigJson.Serialize(child, false),
        };
        await using (var context = database.CreateDbContext())
        {
            await context.GetService<IMigrator>().MigrateAsync("20261201000000_RunFilterColumns");
            await context.Database.ExecuteSqlRawAsync("""INSERT INTO "Projects" ("Name", "CreatedAt") VALUES ('old', {0})""", Support.Runs.Created);
            foreach (var (name, json) in stored)
                await context.Database.ExecuteSqlRawAsync("""
                    INSERT INTO "Runs" ("ProjectId", "Name", "Config", "Method", "Model", "Dataset", "Status", "Tags", "CreatedAt", "EpochsCompleted", "Progress")
                    SELECT "Id", {0}, {1}, 'm', 'mlp', 'synthetic', 'Succeeded', {2}, {3}, 0, 0 FROM "Projects"
                    """, name, json, provider == DatabaseProvider.Sqlite ? "[]" : new List<string>(), Support.Runs.Created);
            // Rows that hang off Runs must survive however the provider drops the column (SQLite may rebuild the table).
            await context.Database.ExecuteSqlRawAsync("""UPDATE "Runs" SET "ParentRunId" = (SELECT MIN("Id") FROM "Runs") WHERE "Name" = {0}""", child.Name);
            await context.Database.ExecuteSqlRawAsync("""
                INSERT INTO "RunSummaries" ("RunId", "Key", "Last", "LastStep", "Min", "Max", "Count") SELECT "Id", 'val/acc', 1, 1, 1, 1, 1 FROM "Runs"
                """);
        }

        await database.MigrateAsync();

        await using var migrated = database.CreateDbContext();
        var runs = await migrated.Runs.AsNoTracking().OrderBy(r => r.Name).ToListAsync();
        Assert.Equal([child.Name, parent.Name], runs.Select(r => r.Name));
        Assert.Equal(RunConfigJson.Serialize(parent), RunConfigJson.Serialize(runs[1].Config));
        Assert.Equal(RunConfigJson.Serialize(child), RunConfigJson.Serialize(runs[0].Config));
        // The very text stored, not just an equal config.
        var texts = await migrated.Database.SqlQueryRaw<string>("""
            SELECT r."Name" || '=' || c."Config" AS "Value" FROM "RunConfigs" AS c JOIN "Runs" AS r ON r."Id" = c."RunId"
            """).ToListAsync();
        Assert.Equal(stored.Select(s => $"{s.Key}={s.Value}").Order(), texts.Order());
        Assert.Equal(runs[1].Id, runs[0].ParentRunId);
        Assert.Equal(2, await migrated.RunSummaries.CountAsync());
    }

    [Theory, SqliteData, PostgresData]
    public async Task DeletingARun_DeletesItsConfigRow(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var kept = await Support.Runs.AddAsync(database, new RunConfig { Name = "kept" });
        var deleted = await Support.Runs.AddAsync(database, new RunConfig { Name = "deleted" });

        await using (var context = database.CreateDbContext())
            await context.Database.ExecuteSqlRawAsync("""DELETE FROM "Runs" WHERE "Id" = {0}""", deleted);

        await using var reader = database.CreateDbContext();
        var runIds = await reader.Database.SqlQueryRaw<long>("""SELECT "RunId" AS "Value" FROM "RunConfigs" """).ToListAsync();
        Assert.Equal([kept], runIds);
        Assert.Equal("kept", (await RunQueriesConfig(reader, kept))!.Name);
    }

    private static async Task<RunConfig?> RunQueriesConfig(TrackerDbContext context, long runId) =>
        (await Tracker.Web.Features.Runs.RunQueries.ConfigAsync(context, runId, CancellationToken.None)).Config;
}
