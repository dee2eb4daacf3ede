using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tracker.Shared;
using Tracker.Web.Features.Sweeps;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Support;
using Tracker.Web.Jobs;
using Tracker.Web.Features.Runs.Forms;

namespace Tracker.Web.IntegrationTests.Api;

public class SweepsApiTests
{
    private static SweepForm Grid(string seeds) =>
        new() { Methods = [Methods.NoDropout, Methods.EarlyDropout], Models = [KnownModels.Mlp], Seeds = seeds };

    private static RunConfig Base(string name) => ApiHost.Config(name) with { Epochs = 6 };

    [Theory, SqliteData, PostgresData]
    public async Task SweepQuery_ListsTheSweepsRunsInQueueOrder_WithSeedsProgressAndBestValAcc(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var queue = new RunSubmission(database, TimeProvider.System);
        var plan = Grid("4, 5").Plan(Base("grid"));
        var sweep = await queue.SubmitSweepAsync(plan.Configs);
        var other = await queue.SubmitSweepAsync(Grid("9").Plan(Base("other")).Configs);
        Assert.True(sweep.Succeeded && other.Succeeded);
        await new MetricWriter(database).AppendAsync([
            RunsApiTests.Point(sweep.RunIds[1], MetricKeys.ValAcc, 1, 0.25), RunsApiTests.Point(sweep.RunIds[1], MetricKeys.ValAcc, 2, 0.75),
            RunsApiTests.Point(sweep.RunIds[1], MetricKeys.ValAcc, 3, 0.5)]);
        await using (var context = database.CreateDbContext())
            await context.Runs.Where(r => r.Id == sweep.RunIds[1]).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, RunStatus.Succeeded).SetProperty(r => r.Progress, 1.0).SetProperty(r => r.EpochsCompleted, 6));

        await using var read = database.CreateDbContext();
        var found = await SweepQueries.FindAsync(read, sweep.SweepId!, CancellationToken.None);

        Assert.NotNull(found);
        Assert.Equal(sweep.RunIds, found.Runs.Select(r => r.Id));
        Assert.Equal(plan.Configs.Select(c => c.Name), found.Runs.Select(r => r.Name));
        Assert.Equal([4, 5, 4, 5], found.Runs.Select(r => r.Seed));
        Assert.Equal([Methods.NoDropout, Methods.NoDropout, Methods.EarlyDropout, Methods.EarlyDropout], found.Runs.Select(r => r.Method));
        Assert.Equal(1, found.Finished);
        var done = found.Runs[1];
        Assert.Equal((RunStatus.Succeeded, 1.0, 6, 6, 0.75), (done.Status, done.Progress, done.EpochsCompleted, done.Epochs, done.BestValAcc));
        Assert.All(found.Runs.Where(r => r.Id != done.Id), r => Assert.Equal((RunStatus.Queued, (double?)null), (r.Status, r.BestValAcc)));
        Assert.Null(await SweepQueries.FindAsync(read, "no-such-sweep", CancellationToken.None));
    }

    [Theory, SqliteData]
    public async Task GetSweep_ReturnsItsRuns_Or404(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var sweep = await host.Submission.SubmitSweepAsync(Grid("0, 1").Plan(Base("api-grid")).Configs);

        var body = await host.GetJsonAsync($"/api/sweeps/{sweep.SweepId}");

        Assert.Equal(sweep.SweepId, body["id"]!.GetValue<string>());
        Assert.Equal(sweep.RunIds, body["runs"]!.AsArray().Select(r => r!["id"]!.GetValue<long>()));
        Assert.Equal("queued", body["runs"]![0]!["status"]!.GetValue<string>());
        using var missing = await host.Client.GetAsync("/api/sweeps/0000");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType!.MediaType);
    }
}
