using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Features.Sharing;
using Tracker.Web.IntegrationTests.Support;
using Tracker.Web.Jobs;

namespace Tracker.Web.IntegrationTests.Api;

/// <summary>
/// DELETE /api/runs/{id} moves a finished run to the trash, where no list, page, comparison or share link finds it;
/// POST /api/runs/{id}/restore brings it back; an admin's DELETE /api/trash deletes it for good and frees its space.
/// </summary>
public class RunDeleteApiTests
{
    private static MetricPoint Point(long runId, long step) =>
        new() { RunId = runId, Key = MetricKeys.TrainLoss, Step = step, Epoch = 1, Value = 1.0 / step, Time = DateTime.UtcNow };

    [Theory, SqliteData, PostgresData]
    public async Task AFinishedRun_GoesToTheTrash_HiddenFromEveryRead_AndIsRestored(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var doomed = await host.SubmitAsync(ApiHost.Config("doomed", "trash", "t"));
        var kept = await host.SubmitAsync(ApiHost.Config("kept", "trash", "t"));
        await host.Metrics.AppendAsync([Point(doomed, 1), Point(doomed, 2), Point(kept, 1)]);
        var link = await host.App.Services.GetRequiredService<ShareLinks>().CreateAsync(ShareTargetKind.Run, $"{doomed}", null);
        Assert.Equal(CancelResult.Cancelled, await host.Leases.CancelAsync(doomed));

        using (var response = await host.Client.DeleteAsync($"/api/runs/{doomed}"))
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        Assert.Equal([kept], Ids(await host.GetJsonAsync("/api/runs?project=trash&archived=include")));
        Assert.Equal(["t"], (await host.GetJsonAsync("/api/runs?tag=t"))["items"]!.AsArray().Select(r => r!["name"]!.GetValue<string>() == "kept" ? "t" : "leak"));
        foreach (var url in new[] { $"/api/runs/{doomed}", $"/api/runs/{doomed}/metrics", $"/api/runs/{doomed}/events", $"/api/runs/{doomed}/files" })
        {
            using var hidden = await host.Client.GetAsync(url);
            Assert.True(hidden.StatusCode == HttpStatusCode.NotFound, $"{url}: {hidden.StatusCode}");
        }
        Assert.Contains("kept", await host.Client.GetStringAsync($"/runs/{kept}"), StringComparison.Ordinal);
        // Its page shows nothing of it but that it is in the trash, with the restore (decision 0068).
        var trashedPage = await host.Client.GetStringAsync($"/runs/{doomed}");
        Assert.Contains($"Run {doomed} is in the trash", trashedPage, StringComparison.Ordinal);
        Assert.DoesNotContain("Metric summaries", trashedPage, StringComparison.Ordinal);
        var csv = await host.Client.GetStringAsync($"/api/compare.csv?runs={doomed},{kept}&metrics={MetricKeys.TrainLoss}&x=step");
        Assert.DoesNotContain("doomed", csv, StringComparison.Ordinal);
        Assert.Contains("kept", csv, StringComparison.Ordinal);
        using (var shared = await host.App.CreateAnonymousClient().GetAsync($"/s/{link.Link!.Token}/data"))
            Assert.Equal(HttpStatusCode.NotFound, shared.StatusCode);
        var trash = (await host.GetJsonAsync("/api/trash")).AsArray();
        Assert.Equal([doomed], trash.Select(r => r!["id"]!.GetValue<long>()));
        Assert.Equal(("doomed", "trash", "cancelled"), (trash[0]!["name"]!.GetValue<string>(), trash[0]!["project"]!.GetValue<string>(), trash[0]!["status"]!.GetValue<string>()));
        await using (var context = host.Database.CreateDbContext())
        {
            // Still stored, only hidden: nothing is lost until the trash is emptied.
            Assert.Equal(2, await context.MetricPoints.CountAsync(p => p.RunId == doomed));
            Assert.NotNull((await context.Runs.IgnoreQueryFilters().SingleAsync(r => r.Id == doomed)).DeletedAt);
            var entry = await context.AuditEntries.SingleAsync(e => e.Action == AuditActions.Delete);
            Assert.Equal(("admin", $"run {doomed}", "doomed"), (entry.Actor, entry.Target, entry.Detail));
        }
        using (var again = await host.Client.DeleteAsync($"/api/runs/{doomed}"))
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);

        using (var restored = await host.Client.PostAsync($"/api/runs/{doomed}/restore", null))
        {
            Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
            Assert.Equal("doomed", (await restored.Content.ReadFromJsonAsync<JsonNode>())!["name"]!.GetValue<string>());
        }
        Assert.Equal([doomed, kept], Ids(await host.GetJsonAsync("/api/runs?project=trash&sort=name")));
        Assert.Empty((await host.GetJsonAsync("/api/trash")).AsArray());
        Assert.Equal(2, (await host.GetJsonAsync($"/api/runs/{doomed}/metrics"))["series"]![0]!["points"]!.AsArray().Count);
        using (var notInTrash = await host.Client.PostAsync($"/api/runs/{doomed}/restore", null))
            Assert.Equal(HttpStatusCode.NotFound, notInTrash.StatusCode);
    }

    [Theory, SqliteData, PostgresData]
    public async Task EmptyingTheTrash_DeletesA100kPointRunWithEverythingItHad_AndFreesTheSpace(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var doomed = await host.SubmitAsync(ApiHost.Config("doomed"));
        var kept = await host.SubmitAsync(ApiHost.Config("kept"));
        await host.Metrics.AppendAsync([.. Enumerable.Range(1, 100_000).Select(step => Point(doomed, step))]);
        await host.Metrics.AppendAsync([Point(kept, 1)]);
        await host.App.Services.GetRequiredService<RunEventStore>().StoreAsync(doomed,
            [new StepEvent { Seq = 1, Step = 50, Epoch = 1, Metrics = new Dictionary<string, double> { [MetricKeys.TrainLoss] = 2.5 } }]);
        var links = host.App.Services.GetRequiredService<ShareLinks>();
        await links.CreateAsync(ShareTargetKind.Run, $"{doomed}", null);
        await links.CreateAsync(ShareTargetKind.Run, $"{kept}", null);
        var folder = host.App.Services.GetRequiredService<RunCheckpoints>().DirectoryOf(doomed);
        Directory.CreateDirectory(Path.Combine(folder, "files"));
        await File.WriteAllTextAsync(Path.Combine(folder, "checkpoint.bin"), "weights");
        await File.WriteAllTextAsync(Path.Combine(folder, "files", "notes.txt"), "notes");
        Assert.Equal(CancelResult.Cancelled, await host.Leases.CancelAsync(doomed));
        await using (var context = host.Database.CreateDbContext())
        {
            // What emptying must remove is there to begin with.
            Assert.Equal(100_001, await context.MetricPoints.CountAsync(p => p.RunId == doomed)); // the step event's point too
            Assert.True(await context.MetricRollups.AnyAsync(r => r.RunId == doomed));
            Assert.True(await context.RunSummaries.AnyAsync(s => s.RunId == doomed));
            Assert.True(await context.RunEvents.AnyAsync(e => e.RunId == doomed));
        }
        using (var trashed = await host.Client.DeleteAsync($"/api/runs/{doomed}"))
            Assert.Equal(HttpStatusCode.NoContent, trashed.StatusCode);
        var sizeBefore = SqliteFileBytes(host);

        using var emptied = await host.Client.DeleteAsync("/api/trash");

        Assert.Equal(HttpStatusCode.OK, emptied.StatusCode);
        var answer = (await emptied.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal(1, answer["runs"]!.GetValue<int>());
        await using (var context = host.Database.CreateDbContext())
        {
            Assert.Equal([kept], await context.Runs.IgnoreQueryFilters().Select(r => r.Id).ToListAsync());
            Assert.Equal(0, await context.MetricPoints.CountAsync(p => p.RunId == doomed));
            Assert.Equal(0, await context.MetricRollups.CountAsync(r => r.RunId == doomed));
            Assert.Equal(0, await context.RunSummaries.CountAsync(s => s.RunId == doomed));
            Assert.Equal(0, await context.RunEvents.CountAsync(e => e.RunId == doomed));
            Assert.Equal(0, await context.Jobs.IgnoreQueryFilters().CountAsync(j => j.RunId == doomed));
            Assert.Equal(1, await context.MetricPoints.CountAsync(p => p.RunId == kept));
            Assert.Equal([$"{kept}"], await context.ShareLinks.Select(l => l.Target).ToListAsync());
            var entry = await context.AuditEntries.SingleAsync(e => e.Action == AuditActions.EmptyTrash);
            Assert.Equal(("admin", "trash"), (entry.Actor, entry.Target));
        }
        Assert.False(Directory.Exists(folder));
        Assert.Empty((await host.GetJsonAsync("/api/trash")).AsArray());

        if (provider == DatabaseProvider.Sqlite)
        {
            // 100,000 points with their index and rollups are megabytes (measured: 9.4 MB file -> 0.27 MB); the file gives them
            // back, with no free pages left in it.
            var sizeAfter = SqliteFileBytes(host);
            var freed = answer["databaseBytesFreed"]!.GetValue<long>();
            Assert.True(sizeBefore - sizeAfter > 2_000_000, $"The file went from {sizeBefore} to {sizeAfter} bytes.");
            Assert.True(freed > 2_000_000, $"databaseBytesFreed: {freed}");
            Assert.Equal(0, await SqlitePragmaAsync(host, "freelist_count"));
        }
        else
        {
            Assert.Null(answer["databaseBytesFreed"]);
        }
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
        Assert.Equal(0, await after.Runs.IgnoreQueryFilters().CountAsync(r => r.DeletedAt != null));
        Assert.Equal(2, await after.Jobs.CountAsync());
        Assert.Equal(1, await after.MetricPoints.CountAsync());
        Assert.Equal(0, await after.AuditEntries.CountAsync(e => e.Action == AuditActions.Delete));
    }

    private static List<long> Ids(JsonNode page) => page["items"]!.AsArray().Select(r => r!["id"]!.GetValue<long>()).ToList();

    /// <summary>The SQLite file's size once its write-ahead log is written back; 0 on PostgreSQL.</summary>
    private static long SqliteFileBytes(ApiHost host)
    {
        if (host.Database.Provider != DatabaseProvider.Sqlite) return 0;
        using (var connection = new SqliteConnection($"Data Source={host.Database.Options.SqlitePath};Pooling=False"))
        {
            connection.Open();
            using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            // Busy (1) while the app's background checkpointer is mid-checkpoint: SQLite does not wait for it.
            for (var attempt = 0; attempt < 100 && (long)checkpoint.ExecuteScalar()! == 1; attempt++) Thread.Sleep(50);
        }
        return new FileInfo(host.Database.Options.SqlitePath!).Length;
    }

    private static async Task<long> SqlitePragmaAsync(ApiHost host, string pragma)
    {
        await using var connection = new SqliteConnection($"Data Source={host.Database.Options.SqlitePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {pragma};";
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
