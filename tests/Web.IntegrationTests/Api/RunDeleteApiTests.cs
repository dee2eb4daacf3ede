using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Features.Sharing;
using Tracker.Web.IntegrationTests.Support;
using Tracker.Web.Jobs;

namespace Tracker.Web.IntegrationTests.Api;

/// <summary>DELETE /api/runs/{id}: a finished run goes with everything that hangs off it; an active one stays.</summary>
public class RunDeleteApiTests
{
    private static MetricPoint Point(long runId, long step) =>
        new() { RunId = runId, Key = MetricKeys.TrainLoss, Step = step, Epoch = 1, Value = 1.0 / step, Time = DateTime.UtcNow };

    [Theory, SqliteData, PostgresData]
    public async Task AFinishedRun_IsDeleted_WithItsMetricsJobShareLinksAndCheckpoints_AndTheActIsAudited(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var doomed = await host.SubmitAsync(ApiHost.Config("doomed"));
        var kept = await host.SubmitAsync(ApiHost.Config("kept"));
        await host.Metrics.AppendAsync([Point(doomed, 1), Point(doomed, 2), Point(kept, 1)]);
        var links = host.App.Services.GetRequiredService<ShareLinks>();
        await links.CreateAsync(ShareTargetKind.Run, $"{doomed}", null);
        await links.CreateAsync(ShareTargetKind.Run, $"{kept}", null);
        var folder = host.App.Services.GetRequiredService<RunCheckpoints>().DirectoryOf(doomed);
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "checkpoint.bin"), "weights");
        Assert.Equal(CancelResult.Cancelled, await host.Leases.CancelAsync(doomed));

        using var response = await host.Client.DeleteAsync($"/api/runs/{doomed}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        await using var context = host.Database.CreateDbContext();
        Assert.Equal([kept], await context.Runs.Select(r => r.Id).ToListAsync());
        Assert.Equal([kept], await context.MetricPoints.Select(p => p.RunId).Distinct().ToListAsync());
        Assert.Equal([kept], await context.Jobs.Select(j => j.RunId).ToListAsync());
        Assert.Equal([$"{kept}"], await context.ShareLinks.Select(l => l.Target).ToListAsync());
        Assert.False(Directory.Exists(folder));
        var entry = await context.AuditEntries.SingleAsync(e => e.Action == AuditActions.Delete);
        Assert.Equal(("admin", $"run {doomed}", "doomed"), (entry.Actor, entry.Target, entry.Detail));

        using var again = await host.Client.DeleteAsync($"/api/runs/{doomed}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Theory, SqliteData]
    public async Task AQueuedOrRunningRun_IsRefusedWith409_AndKeepsEverything(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var queued = await host.SubmitAsync(ApiHost.Config("queued"));
        var running = await host.SubmitAsync(ApiHost.Config("running"));
        await using (var context = host.Database.CreateDbContext())
            await context.Runs.Where(r => r.Id == running).ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Running));
        await host.Metrics.AppendAsync([Point(running, 1)]);

        foreach (var id in new[] { queued, running })
        {
            using var response = await host.Client.DeleteAsync($"/api/runs/{id}");
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            Assert.Contains("cancel it first", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        await using var after = host.Database.CreateDbContext();
        Assert.Equal(2, await after.Runs.CountAsync());
        Assert.Equal(2, await after.Jobs.CountAsync());
        Assert.Equal(1, await after.MetricPoints.CountAsync());
        Assert.Equal(0, await after.AuditEntries.CountAsync(e => e.Action == AuditActions.Delete));
    }
}
