using System.Net;
using System.Net.Http.Headers;
using Tracker.Shared;
using Tracker.Web.Features.Runs;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Support;

namespace Tracker.Web.IntegrationTests.Api;

public class MetricsApiTests
{
    private static async Task<long> RunWithPointsAsync(ApiHost host)
    {
        var id = await host.SubmitAsync(ApiHost.Config());
        // Written out of order, to see the API sort by key, then step.
        await host.Metrics.AppendAsync([
            RunsApiTests.Point(id, MetricKeys.ValAcc, 2, 0.75), RunsApiTests.Point(id, MetricKeys.TrainLoss, 2, 0.5),
            RunsApiTests.Point(id, MetricKeys.ValAcc, 1, 0.5), RunsApiTests.Point(id, MetricKeys.TrainLoss, 1, 1.25),
            RunsApiTests.Point(id, MetricKeys.LearningRate, 1, 0.001)]);
        return id;
    }

    [Theory, SqliteData, PostgresData]
    public async Task Metrics_AsJson_AreTheChosenKeys_ByKeyThenStep(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var id = await RunWithPointsAsync(host);

        var metrics = await host.GetJsonAsync($"/api/runs/{id}/metrics?keys={MetricKeys.ValAcc},{MetricKeys.TrainLoss}");

        var series = metrics["series"]!.AsArray();
        Assert.Equal([MetricKeys.TrainLoss, MetricKeys.ValAcc], series.Select(s => s!["key"]!.GetValue<string>()));
        var trainLoss = series[0]!["points"]!.AsArray();
        Assert.Equal([(1L, 1.25), (2L, 0.5)], trainLoss.Select(p => (p!["step"]!.GetValue<long>(), p["value"]!.GetValue<double>())));
        Assert.Equal(Runs.Created.AddSeconds(2), trainLoss[1]!["time"]!.GetValue<DateTime>().ToUniversalTime());

        var all = await host.GetJsonAsync($"/api/runs/{id}/metrics");
        Assert.Equal(3, all["series"]!.AsArray().Count);
    }

    [Theory, SqliteData, PostgresData]
    public async Task Metrics_WithMaxPoints_KeepAtMostN_TheEnds_AndEverySpike(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var id = await host.SubmitAsync(ApiHost.Config());
        const int count = 20_000, spikeStep = 7_777, dipStep = 12_345;
        var points = Enumerable.Range(1, count).Select(step => RunsApiTests.Point(id, MetricKeys.TrainLoss, step,
            step == spikeStep ? 50.0 : step == dipStep ? -3.0 : 2.0 - step * 1e-4)).ToList();
        points.AddRange(Enumerable.Range(1, 5).Select(epoch => RunsApiTests.Point(id, MetricKeys.ValAcc, epoch, 50 + epoch)));
        await host.Metrics.AppendAsync(points);

        var metrics = await host.GetJsonAsync($"/api/runs/{id}/metrics?keys={MetricKeys.TrainLoss},{MetricKeys.ValAcc}&maxPoints=100");

        var series = metrics["series"]!.AsArray();
        var loss = series.Single(s => s!["key"]!.GetValue<string>() == MetricKeys.TrainLoss)!["points"]!.AsArray();
        var steps = loss.Select(p => p!["step"]!.GetValue<long>()).ToList();
        Assert.InRange(steps.Count, 90, 100);
        Assert.Equal(steps.Order(), steps);
        Assert.Equal(1, steps[0]);
        Assert.Equal(count, steps[^1]);
        Assert.Contains(spikeStep, steps);
        Assert.Contains(dipStep, steps);
        var spike = loss.Single(p => p!["step"]!.GetValue<long>() == spikeStep)!;
        Assert.Equal(50.0, spike["value"]!.GetValue<double>());
        Assert.Equal(spikeStep, spike["epoch"]!.GetValue<int>());
        Assert.Equal(Runs.Created.AddSeconds(spikeStep), spike["time"]!.GetValue<DateTime>().ToUniversalTime());
        // A key with fewer points than asked for comes whole.
        var accuracy = series.Single(s => s!["key"]!.GetValue<string>() == MetricKeys.ValAcc)!["points"]!.AsArray();
        Assert.Equal([51.0, 52.0, 53.0, 54.0, 55.0], accuracy.Select(p => p!["value"]!.GetValue<double>()));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("100001")]
    [InlineData("many")]
    public async Task Metrics_WithABadMaxPoints_AreABadRequestNamingIt(string maxPoints)
    {
        await using var host = await ApiHost.StartAsync(DatabaseProvider.Sqlite);
        var id = await RunWithPointsAsync(host);

        using var response = await host.Client.GetAsync($"/api/runs/{id}/metrics?maxPoints={maxPoints}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("maxPoints", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("?format=csv", null)]
    [InlineData("", "text/csv")]
    public async Task Metrics_AsCsv_HaveTheHeaderAndInvariantRows(string query, string? accept)
    {
        await using var host = await ApiHost.StartAsync(DatabaseProvider.Sqlite);
        var id = await RunWithPointsAsync(host);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/runs/{id}/metrics{query}");
        if (accept is not null) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));

        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n");
        Assert.Equal(MetricQueries.CsvHeader, lines[0]);
        Assert.Equal($"{id},lr,1,1,0.001,2026-03-01T12:00:01.0000000Z", lines[1]);
        Assert.Equal($"{id},train/loss,1,1,1.25,2026-03-01T12:00:01.0000000Z", lines[2]);
        Assert.Equal($"{id},val/acc,2,2,0.75,2026-03-01T12:00:02.0000000Z", lines[5]);
        Assert.Equal("", lines[6]);
    }

    [Theory]
    [InlineData("train/loss", "train/loss")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    public void CsvField_QuotesOnlyWhatRfc4180Requires(string value, string expected) =>
        Assert.Equal(expected, MetricQueries.CsvField(value));
}
