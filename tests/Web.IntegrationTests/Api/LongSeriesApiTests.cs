using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Features.Runs;
using Tracker.Web.IntegrationTests.Support;

namespace Tracker.Web.IntegrationTests.Api;

/// <summary>Lines longer than <see cref="RollupReads.RawReadLimit"/>, read from their stored buckets, and zoomed windows.</summary>
public class LongSeriesApiTests
{
    private const int Count = 60_000, SpikeStep = 7_777, DipStep = 41_234, EarlySpike = 150;

    /// <summary>A falling line of <see cref="Count"/> points (steps 1..Count) with a spike, a dip and an early spike.</summary>
    private static async Task<long> LongRunAsync(ApiHost host)
    {
        Assert.True(Count > RollupReads.RawReadLimit);
        var id = await host.SubmitAsync(ApiHost.Config());
        var points = Enumerable.Range(1, Count).Select(step => RunsApiTests.Point(id, MetricKeys.TrainLoss, step,
            step switch { SpikeStep => 50.0, DipStep => -3.0, EarlySpike => 40.0, _ => 2.0 - step * 1e-5 })).ToList();
        foreach (var batch in points.Chunk(5_000)) await host.Metrics.AppendAsync(batch);
        return id;
    }

    private static List<(long Step, double Value, int Epoch, DateTime Time)> Line(JsonNode metrics) =>
        [.. metrics["series"]!.AsArray().Single()!["points"]!.AsArray().Select(p => (p!["step"]!.GetValue<long>(), p["value"]!.GetValue<double>(),
            p["epoch"]!.GetValue<int>(), p["time"]!.GetValue<DateTime>().ToUniversalTime()))];

    [Theory, SqliteData, PostgresData]
    public async Task ALongLine_KeepsAtMostN_TheEnds_AndEverySpike(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var id = await LongRunAsync(host);

        var line = Line(await host.GetJsonAsync($"/api/runs/{id}/metrics?keys={MetricKeys.TrainLoss}&maxPoints=200"));

        Assert.InRange(line.Count, 150, 200);
        Assert.Equal(line.Select(p => p.Step).Order(), line.Select(p => p.Step));
        Assert.Equal(line.Count, line.Select(p => p.Step).Distinct().Count());
        Assert.Equal((1L, Count), (line[0].Step, line[^1].Step));
        Assert.Contains((SpikeStep, 50.0, SpikeStep, Runs.Created.AddSeconds(SpikeStep)), line);
        Assert.Contains(line, p => p.Step == DipStep && p.Value == -3.0);
        Assert.Contains(line, p => p.Step == EarlySpike && p.Value == 40.0);
    }

    [Theory, SqliteData, PostgresData]
    public async Task ALongLineRecordedBeforeBuckets_GetsThemOnItsFirstRead_AndReadsTheSame(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var id = await LongRunAsync(host);
        var url = $"/api/runs/{id}/metrics?keys={MetricKeys.TrainLoss}&maxPoints=500";
        var written = Line(await host.GetJsonAsync(url));
        await using var context = host.Database.CreateDbContext();
        var stored = await context.MetricRollups.CountAsync(r => r.RunId == id);
        await context.MetricRollups.Where(r => r.RunId == id).ExecuteDeleteAsync();

        var firstRead = Line(await host.GetJsonAsync(url));

        Assert.Equal(written, firstRead);
        Assert.Equal(stored, await context.MetricRollups.CountAsync(r => r.RunId == id));
    }

    [Theory, SqliteData, PostgresData]
    public async Task AZoomedWindow_IsThatWindowDownsampled_FromItsFirstToItsLastStep(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var id = await LongRunAsync(host);

        // Wide enough to come from the buckets, with ends inside buckets; then narrow enough to be read point by point.
        var wide = Line(await host.GetJsonAsync($"/api/runs/{id}/metrics?keys={MetricKeys.TrainLoss}&maxPoints=300&from=123&to=58765"));
        var narrow = Line(await host.GetJsonAsync($"/api/runs/{id}/metrics?keys={MetricKeys.TrainLoss}&maxPoints=1000&from=7000&to=7900"));

        Assert.InRange(wide.Count, 200, 300);
        Assert.Equal((123L, 58_765L), (wide[0].Step, wide[^1].Step));
        Assert.Equal(wide.Select(p => p.Step).Order(), wide.Select(p => p.Step));
        Assert.Contains(wide, p => p.Step == EarlySpike && p.Value == 40.0);
        Assert.Contains(wide, p => p.Step == SpikeStep && p.Value == 50.0);
        Assert.Contains(wide, p => p.Step == DipStep && p.Value == -3.0);
        Assert.Equal(Enumerable.Range(7000, 901).Select(step => (long)step), narrow.Select(p => p.Step));
    }

    [Theory]
    [InlineData("&maxPoints=100&from=-1", "from")]
    [InlineData("&maxPoints=100&to=ten", "to")]
    [InlineData("&maxPoints=100&from=50&to=10", "to")]
    [InlineData("&from=1&to=10", "maxPoints")]
    public async Task ABadWindow_IsABadRequestNamingTheField(string query, string field)
    {
        await using var host = await ApiHost.StartAsync(DatabaseProvider.Sqlite);
        var id = await host.SubmitAsync(ApiHost.Config());

        using var response = await host.Client.GetAsync($"/api/runs/{id}/metrics?keys={MetricKeys.TrainLoss}{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(field, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["field"]!.GetValue<string>());
    }
}
