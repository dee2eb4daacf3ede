using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Support;

namespace Tracker.Web.IntegrationTests.Storage;

/// <summary>The hand-written migrations, applied as the app applies them, on each provider.</summary>
public class MigrationTests
{
    [Theory, SqliteData, PostgresData]
    public async Task Migrations_BuildExactlyTheSchemaTheModelExpects(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();

        await using var context = database.CreateDbContext();
        var expected = DatabaseSchema.FromModel(context);
        var differences = DatabaseSchema.Differences(expected, await DatabaseSchema.ReadAsync(context));

        Assert.True(differences.Count == 0,
            "The migrations and the model disagree; add a migration for both providers (docs/decisions/0004):\n" + string.Join("\n", differences));
        Assert.Equal(23, expected.Tables.Count); // 8 of the tracker, Sweeps, Webhooks, WebhookDeliveries, RunEvents, MetricRollups, 7 of Identity, API tokens, the audit log, Workers
    }

    [Theory, SqliteData, PostgresData]
    public async Task SchemaComparison_ReportsWhatTheDatabaseAndTheModelDoNotShare(DatabaseProvider provider)
    {
        // Guards the test above against passing vacuously: a column the model lacks, a missing index, a
        // column the model has that the database lacks are each reported.
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        await using var context = database.CreateDbContext();
        await context.Database.ExecuteSqlRawAsync("""ALTER TABLE "Runs" ADD COLUMN "Colour" TEXT NULL""");
        await context.Database.ExecuteSqlRawAsync("""DROP INDEX "IX_MetricPoints_RunId_Key_Step" """);
        await context.Database.ExecuteSqlRawAsync("""ALTER TABLE "ShareLinks" DROP COLUMN "RevokedAt" """);

        var differences = DatabaseSchema.Differences(DatabaseSchema.FromModel(context), await DatabaseSchema.ReadAsync(context));

        Assert.Equal(3, differences.Count);
        Assert.Contains(differences, line => line.StartsWith("Runs column Colour is in the database but not in the model", StringComparison.Ordinal));
        Assert.Contains(differences, line => line.StartsWith("MetricPoints index IX_MetricPoints_RunId_Key_Step is in the model but not in the database", StringComparison.Ordinal));
        Assert.Contains(differences, line => line.StartsWith("ShareLinks column RevokedAt is in the model but not in the database", StringComparison.Ordinal));
    }

    [Theory, SqliteData, PostgresData]
    public async Task Migrations_ApplyOnAnEmptyDatabase_AndASecondRunChangesNothing(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using (var empty = database.CreateDbContext())
            Assert.Equal(empty.Database.GetMigrations(), await empty.Database.GetPendingMigrationsAsync());

        await database.MigrateAsync();
        await using (var context = database.CreateDbContext())
        {
            context.Projects.Add(new Project { Name = "kept", CreatedAt = DateTime.UtcNow });
            await context.SaveChangesAsync();
        }
        await database.MigrateAsync();

        await using var migrated = database.CreateDbContext();
        Assert.NotEmpty(migrated.Database.GetMigrations());
        Assert.Equal(migrated.Database.GetMigrations(), await migrated.Database.GetAppliedMigrationsAsync());
        Assert.Empty(await migrated.Database.GetPendingMigrationsAsync());
        Assert.Equal("kept", Assert.Single(await migrated.Projects.ToListAsync()).Name);
    }

    [Theory, SqliteData, PostgresData]
    public async Task EachProvider_HasItsOwnMigrations(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var context = database.CreateDbContext();

        var migrations = context.GetService<IMigrationsAssembly>().Migrations;

        var expectedNamespace = $"Tracker.Web.Data.Migrations.{(provider == DatabaseProvider.Sqlite ? "Sqlite" : "Postgres")}";
        Assert.NotEmpty(migrations);
        Assert.All(migrations.Values, type => Assert.Equal(expectedNamespace, type.Namespace));
    }
}
