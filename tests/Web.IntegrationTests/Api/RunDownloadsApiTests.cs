using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Support;
using Tracker.Web.Jobs;

namespace Tracker.Web.IntegrationTests.Api;

/// <summary>The run page's downloads: the final checkpoint and every metric point as JSON (streamed) and CSV.</summary>
public class RunDownloadsApiTests
{
    [Theory, SqliteData, PostgresData]
    public async Task TheFinalCheckpoint_DownloadsOnceTheRunHasFinished_ToAnyReader(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var finished = await host.SubmitAsync(ApiHost.Config("finished", "downloads"));
        var queued = await host.SubmitAsync(ApiHost.Config("queued", "downloads"));
        var withoutFile = await host.SubmitAsync(ApiHost.Config("no file", "downloads"));
        Assert.Equal(CancelResult.Cancelled, await host.Leases.CancelAsync(finished));
        Assert.Equal(CancelResult.Cancelled, await host.Leases.CancelAsync(withoutFile));
        var checkpoints = host.App.Services.GetRequiredService<RunCheckpoints>();
        byte[] weights = [.. Enumerable.Range(0, 70_000).Select(i => (byte)(i * 7))];
        foreach (var id in new[] { finished, queued })
        {
            Directory.CreateDirectory(checkpoints.DirectoryOf(id));
            await File.WriteAllBytesAsync(checkpoints.PathOf(id), weights);
        }
        using var reader = await host.MemberClientAsync("rita", Tracker.Web.Data.TokenScope.Read);

        using (var response = await reader.GetAsync($"/api/runs/{finished}/checkpoint"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/octet-stream", response.Content.Headers.ContentType!.MediaType);
            Assert.Equal($"run-{finished}-checkpoint.bin", response.Content.Headers.ContentDisposition!.FileName!.Trim('"'));
            Assert.Equal(weights, await response.Content.ReadAsByteArrayAsync());
        }
        foreach (var (url, status, says) in new[]
                 {
                     ($"/api/runs/{queued}/checkpoint", HttpStatusCode.Conflict, "once it has finished"),
                     ($"/api/runs/{withoutFile}/checkpoint", HttpStatusCode.NotFound, "no checkpoint"),
                     ("/api/runs/999999/checkpoint", HttpStatusCode.NotFound, "no run 999999"),
                 })
        {
            using var refused = await reader.GetAsync(url);
            Assert.True(refused.StatusCode == status, $"{url}: {refused.StatusCode}");
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
            Assert.Contains(says, await refused.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }
        using (var anonymous = await host.App.CreateAnonymousClient().GetAsync($"/api/runs/{finished}/checkpoint"))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Theory, SqliteData, PostgresData]
    public async Task TheMetricsJsonFile_HoldsEveryPoint_AsTheMetricsEndpointWritesThem(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var runId = await host.SubmitAsync(ApiHost.Config("metrics", "downloads"));
        var empty = await host.SubmitAsync(ApiHost.Config("empty", "downloads"));
        // Enough points that the writer flushes many times before the end; an infinity as a diverged run stores it.
        var points = Enumerable.Range(1, 6000).Select(step => RunsApiTests.Point(runId, MetricKeys.TrainLoss, step, 1.0 / step))
            .Append(RunsApiTests.Point(runId, MetricKeys.TrainLoss, 6001, double.PositiveInfinity))
            .Concat(Enumerable.Range(1, 3).Select(epoch => RunsApiTests.Point(runId, MetricKeys.ValAcc, epoch, 50 + epoch)))
            .ToList();
        await host.Metrics.AppendAsync(points);

        using var response = await host.Client.GetAsync($"/api/runs/{runId}/metrics.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal($"run-{runId}-metrics.json", response.Content.Headers.ContentDisposition!.FileName!.Trim('"'));
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition.DispositionType);
        var file = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(runId, file["runId"]!.GetValue<long>());
        var series = file["series"]!.AsArray();
        Assert.Equal([MetricKeys.TrainLoss, MetricKeys.ValAcc], series.Select(s => s!["key"]!.GetValue<string>()));
        var loss = series[0]!["points"]!.AsArray();
        Assert.Equal(6001, loss.Count);
        Assert.Equal(Enumerable.Range(1, 6001).Select(i => (long)i), loss.Select(p => p!["step"]!.GetValue<long>()));
        Assert.Equal("Infinity", loss[^1]!["value"]!.GetValue<string>());
        Assert.Equal([51.0, 52.0, 53.0], series[1]!["points"]!.AsArray().Select(p => p!["value"]!.GetValue<double>()));
        // The same document GET /metrics gives, only sent as a file and written as it is read.
        Assert.True(JsonNode.DeepEquals(await host.GetJsonAsync($"/api/runs/{runId}/metrics"), file));

        var none = await host.GetJsonAsync($"/api/runs/{empty}/metrics.json");
        Assert.Equal((empty, 0), (none["runId"]!.GetValue<long>(), none["series"]!.AsArray().Count));
        using (var unknown = await host.Client.GetAsync("/api/runs/999999/metrics.json"))
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using (var anonymous = await host.App.CreateAnonymousClient().GetAsync($"/api/runs/{runId}/metrics.json"))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Theory, SqliteData]
    public async Task TheMetricsCsvLink_OfTheRunPage_DownloadsEveryPointAsAFile(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var runId = await host.SubmitAsync(ApiHost.Config("csv", "downloads"));
        await host.Metrics.AppendAsync([RunsApiTests.Point(runId, MetricKeys.TrainLoss, 1, 0.5), RunsApiTests.Point(runId, MetricKeys.TrainLoss, 2, 0.25)]);

        using var response = await host.Client.GetAsync(AppUrls.RunMetricsCsv(runId));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(($"run-{runId}-metrics.csv", "text/csv"), (response.Content.Headers.ContentDisposition!.FileName!.Trim('"'), response.Content.Headers.ContentType!.MediaType));
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["run_id,key,step,epoch,value,time", $"{runId},train/loss,1", $"{runId},train/loss,2"], lines.Select((l, i) => i == 0 ? l : string.Join(',', l.Split(',')[..3])));
        // The run page links all three downloads.
        var page = await host.Client.GetStringAsync(AppUrls.Run(runId));
        Assert.Contains($"href=\"{AppUrls.RunMetricsCsv(runId).Replace("&", "&amp;", StringComparison.Ordinal)}\"", page, StringComparison.Ordinal);
        Assert.Contains($"href=\"{AppUrls.RunMetricsJson(runId)}\"", page, StringComparison.Ordinal);
    }
}
