using Microsoft.EntityFrameworkCore;
using Tracker.Web.Features.Runs;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Support;

namespace Tracker.Web.IntegrationTests.Api;

public class RunAnnotationsTests
{
    [Theory, SqliteData, PostgresData]
    public async Task NotesAndTags_ArePersisted(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var runId = await Runs.AddAsync(database, new Shared.RunConfig { Name = "run", Tags = ["baseline"] });

        await using (var context = database.CreateDbContext())
        {
            Assert.True(await RunAnnotations.SetNotesAsync(context, runId, "lr too high?"));
            Assert.True((await RunAnnotations.AddTagAsync(context, runId, "  vit ")).Succeeded);
            Assert.True((await RunAnnotations.RemoveTagAsync(context, runId, "baseline")).Succeeded);
        }

        await using var check = database.CreateDbContext();
        var run = await check.Runs.SingleAsync(r => r.Id == runId);
        Assert.Equal("lr too high?", run.Notes);
        Assert.Equal(["vit"], run.Tags);
        // The tag filter of the run list finds the new tag.
        Assert.Equal(1, await check.Runs.CountAsync(r => r.Tags.Contains("vit")));
    }

    [Theory, SqliteData, PostgresData]
    public async Task ATagTooLongOrRepeated_IsRefused_AndNothingChanges(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var runId = await Runs.AddAsync(database, new Shared.RunConfig { Name = "run", Tags = ["baseline"] });

        await using var context = database.CreateDbContext();
        var tooLong = await RunAnnotations.AddTagAsync(context, runId, new string('x', RunAnnotations.MaxTagLength + 1));
        var repeated = await RunAnnotations.AddTagAsync(context, runId, "baseline");
        var empty = await RunAnnotations.AddTagAsync(context, runId, "   ");

        Assert.Contains($"at most {RunAnnotations.MaxTagLength} characters", tooLong.Error);
        Assert.Contains("already has", repeated.Error);
        Assert.Contains("empty", empty.Error);
        await using var check = database.CreateDbContext();
        Assert.Equal(["baseline"], (await check.Runs.SingleAsync(r => r.Id == runId)).Tags);
    }

    [Fact]
    public async Task AnUnknownRun_IsReportedAsNotFound()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await database.MigrateAsync();

        await using var context = database.CreateDbContext();
        Assert.False(await RunAnnotations.SetNotesAsync(context, 404, "notes"));
        Assert.False((await RunAnnotations.AddTagAsync(context, 404, "tag")).Found);
    }

    [Theory, SqliteData, PostgresData]
    public async Task BlankNotes_ClearTheNotes(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var runId = await Runs.AddAsync(database);
        await using var context = database.CreateDbContext();
        await RunAnnotations.SetNotesAsync(context, runId, "something");

        await RunAnnotations.SetNotesAsync(context, runId, "  \n");

        await using var check = database.CreateDbContext();
        Assert.Null((await check.Runs.SingleAsync(r => r.Id == runId)).Notes);
    }
}
