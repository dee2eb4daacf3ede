using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Support;

namespace Tracker.Web.IntegrationTests.Hosting;

/// <summary>The app booted by WebApplicationFactory on each provider: configuration picks it, boot migrates it.</summary>
public class AppDatabaseTests
{
    [Theory, SqliteData, PostgresData]
    public async Task App_MigratesAnEmptyDatabaseAtBoot_ThenServesTheHomePage(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new TrackerAppFactory(database.AppSettings);

        using var client = app.CreateClient();

        // Nothing has been requested yet: the schema was built while the host started.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var context = scope.ServiceProvider.GetRequiredService<TrackerDbContext>();
            Assert.IsType(provider == DatabaseProvider.Sqlite ? typeof(SqliteTrackerDbContext) : typeof(PostgresTrackerDbContext), context);
            Assert.NotEmpty(await context.Database.GetAppliedMigrationsAsync());
            Assert.Empty(await context.Database.GetPendingMigrationsAsync());
        }
        using var response = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<title>Tracker</title>", await response.Content.ReadAsStringAsync());
    }

    [Theory, SqliteData, PostgresData]
    public async Task App_StartedAgainOnItsDatabase_KeepsTheData(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using (var first = new TrackerAppFactory(database.AppSettings))
        {
            first.CreateClient().Dispose();
            await using var scope = first.Services.CreateAsyncScope();
            var context = scope.ServiceProvider.GetRequiredService<TrackerDbContext>();
            context.Projects.Add(new Project { Name = "survives a restart", CreatedAt = DateTime.UtcNow });
            await context.SaveChangesAsync();
        }

        await using var second = new TrackerAppFactory(database.AppSettings);
        using var client = second.CreateClient();

        using var response = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var reader = database.CreateDbContext();
        Assert.Equal("survives a restart", (await reader.Projects.SingleAsync()).Name);
        Assert.Equal(reader.Database.GetMigrations(), await reader.Database.GetAppliedMigrationsAsync());
    }

    [Fact]
    public async Task App_OnSqlite_WritesAheadAndWaitsForLocks()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var app = new TrackerAppFactory(database.AppSettings);
        app.CreateClient().Dispose();

        await using var scope = app.Services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<TrackerDbContext>();
        await context.Database.OpenConnectionAsync();

        Assert.Equal("wal", await Pragma(context, "journal_mode"));
        Assert.Equal("5000", await Pragma(context, "busy_timeout"));
        Assert.Equal("1", await Pragma(context, "synchronous")); // NORMAL
        Assert.Equal("1", await Pragma(context, "foreign_keys"));
        Assert.True(File.Exists(database.Options.SqlitePath));
    }

    [Fact]
    public void Postgres_WithoutAConnectionString_FailsAtBoot()
    {
        using var app = new TrackerAppFactory(new Dictionary<string, string?> { ["Database:Provider"] = "postgres" });

        var error = FindValidationError(Record.Exception(() => app.CreateClient()));

        Assert.Contains("Database:Provider is postgres but Database:ConnectionString is empty", error.Message);
    }

    [Fact]
    public void Sqlite_WithAConnectionString_FailsAtBoot()
    {
        using var app = new TrackerAppFactory(new Dictionary<string, string?> { ["Database:ConnectionString"] = "Host=db;Database=tracker" });

        var error = FindValidationError(Record.Exception(() => app.CreateClient()));

        Assert.Contains("Database:ConnectionString is set but Database:Provider is sqlite", error.Message);
    }

    private static OptionsValidationException FindValidationError(Exception? error)
    {
        for (var current = error; current is not null; current = current.InnerException)
        {
            if (current is OptionsValidationException validation) return validation;
        }
        throw new Xunit.Sdk.XunitException($"Expected the boot to fail on options validation, got: {error?.ToString() ?? "no error"}");
    }

    private static async Task<string> Pragma(TrackerDbContext context, string name)
    {
        await using var command = context.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"PRAGMA {name}";
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture)!;
    }
}
