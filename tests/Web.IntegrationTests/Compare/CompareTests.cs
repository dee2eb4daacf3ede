using System.Net;
using Tracker.Shared;
using Tracker.Web.Features.Compare;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Api;
using Tracker.Web.IntegrationTests.Support;

namespace Tracker.Web.IntegrationTests.Compare;

/// <summary>The comparison's reads on both databases, its CSV, and the page as the server renders it.</summary>
public class CompareTests
{
    private static async Task<long[]> SeedsAsync(ApiHost host)
    {
        var ids = new List<long>();
        for (var seed = 1; seed <= 3; seed++)
            ids.Add(await host.SubmitAsync(ApiHost.Config($"seed-{seed}") with { Seed = seed, Dropout = new DropSettings { Rate = seed == 3 ? 0.1 : 0 } }));
        var points = new List<MetricPoint>();
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
            for (var epoch = 1; epoch <= 3; epoch++)
            {
                points.Add(RunsApiTests.Point(id, MetricKeys.ValAcc, epoch, 10 * epoch + i));
                points.Add(RunsApiTests.Point(id, MetricKeys.TrainLoss, epoch, 1.0 / epoch));
                points.Add(RunsApiTests.Point(id, MetricKeys.LearningRate, epoch, 0.001));
            }
        await host.Metrics.AppendAsync(points);
        return [.. ids];
    }

    [Theory, SqliteData, PostgresData]
    public async Task AZoomedStepWindow_ReadsOnlyItsSteps_AtFullDetail_FromShortAndLongLinesAlike(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        // One line short enough to read point by point, one long enough to come from its stored buckets.
        var shortRun = await host.SubmitAsync(ApiHost.Config("short"));
        var longRun = await host.SubmitAsync(ApiHost.Config("long"));
        var longCount = (int)Tracker.Web.Features.Runs.RollupReads.RawReadLimit + 10_000;
        await host.Metrics.AppendAsync([.. Enumerable.Range(1, 3_000).Select(step => RunsApiTests.Point(shortRun, MetricKeys.TrainLoss, step, 1.0 / step))]);
        foreach (var batch in Enumerable.Range(1, longCount).Chunk(5_000))
            await host.Metrics.AppendAsync([.. batch.Select(step => RunsApiTests.Point(longRun, MetricKeys.TrainLoss, step, step == 1_234 ? 9.0 : 1.0 / step))]);
        var state = CompareState.FromQuery($"runs={shortRun},{longRun}&metrics={MetricKeys.TrainLoss}&x=step");
        await using var context = host.Database.CreateDbContext();

        var whole = await CompareQueries.LoadAsync(context, state, CancellationToken.None, maxPointsPerLine: 200);
        var zoomed = await CompareQueries.LoadAsync(context, state, CancellationToken.None, maxPointsPerLine: 200, steps: new StepWindow(1_000, 1_300));

        var wholeLines = whole.Charts.Single().Series;
        var zoomedLines = zoomed.Charts.Single().Series;
        Assert.All(wholeLines, line => Assert.InRange(line.Points.Count, 2, 200));
        Assert.Equal(2, zoomedLines.Count);
        Assert.All(zoomedLines, line =>
        {
            // 301 steps fit under 200 only downsampled, which keeps the window's ends.
            Assert.InRange(line.Points.Count, 100, 200);
            Assert.All(line.Points, p => Assert.InRange(p.X, 1_000, 1_300));
            Assert.Equal((1_000.0, 1_300.0), (line.Points[0].X, line.Points[^1].X));
        });
        // The long line's spike inside the window is kept; the whole range read had no room to show its neighbours.
        Assert.Contains(zoomedLines.Single(l => l.RunIds.SequenceEqual([longRun])).Points, p => p.X == 1_234 && p.Mean == 9.0);
        Assert.True(zoomedLines.Sum(l => l.Points.Count(p => p.X is >= 1_000 and <= 1_300)) > wholeLines.Sum(l => l.Points.Count(p => p.X is >= 1_000 and <= 1_300)));
    }

    [Theory, SqliteData, PostgresData]
    public async Task Load_ReadsTheShownMetricsOfAllRuns_AndGroupsThem(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var ids = await SeedsAsync(host);
        var state = CompareState.FromQuery($"runs={ids[0]},{ids[1]},{ids[2]},999999&metrics={MetricKeys.ValAcc}&group=dropout.rate");

        await using var context = host.Database.CreateDbContext();
        var result = await CompareQueries.LoadAsync(context, state, CancellationToken.None);

        Assert.Equal(ids, result.Runs.Select(r => r.Id));
        Assert.Equal([999999L], result.MissingRuns);
        Assert.Equal([MetricKeys.LearningRate, MetricKeys.TrainLoss, MetricKeys.ValAcc], result.AvailableMetrics);
        var series = result.Charts.Single().Series;
        Assert.Equal(["dropout.rate=0", "dropout.rate=0.1"], series.Select(s => s.Name));
        Assert.Equal([10.5, 20.5, 30.5], series[0].Points.Select(p => p.Mean));
        Assert.Equal([32.0], series[1].Points.Skip(2).Select(p => p.Mean));
        Assert.Equal(2, result.Summary[0].Cells[0].N);
        Assert.Equal(30.5, result.Summary[0].Cells[0].Best);
    }

    [Theory, SqliteData, PostgresData]
    public async Task CsvExport_HasTheShownLines(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var ids = await SeedsAsync(host);

        using var response = await host.Client.GetAsync($"/api/compare.csv?runs={ids[0]},{ids[1]},424242&metrics={MetricKeys.TrainLoss}&x=step");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("424242", Assert.Single(response.Headers.GetValues("X-Missing-Runs")));
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("series,runs,metric,step,value,std,n", lines[0]);
        Assert.Equal($"#{ids[0]} seed-1,{ids[0]},train/loss,1,1,0,1", lines[1]);
        Assert.Equal(7, lines.Length);
    }

    [Fact]
    public async Task CsvExport_WithoutRuns_IsABadRequest()
    {
        await using var host = await ApiHost.StartAsync(DatabaseProvider.Sqlite);

        using var response = await host.Client.GetAsync("/api/compare.csv?metrics=val/acc");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Theory, SqliteData, PostgresData]
    public async Task ComparePage_RendersTheRunsOnTheServer_AndNamesTheMissingOnes(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var ids = await SeedsAsync(host);

        var html = await host.Client.GetStringAsync($"/compare?runs={ids[0]},{ids[2]},777777&hide=1");

        Assert.Contains($"#{ids[0]} seed-1", html, StringComparison.Ordinal);
        Assert.Contains($"#{ids[2]} seed-3", html, StringComparison.Ordinal);
        Assert.DoesNotContain("seed-2", html, StringComparison.Ordinal);
        Assert.Contains("No such run: 777777", html, StringComparison.Ordinal);
        // Hide identical: the seeds differ, the models do not.
        Assert.Contains(">seed</th>", html, StringComparison.Ordinal);
        Assert.DoesNotContain(">model</th>", html, StringComparison.Ordinal);

        var grouped = await host.Client.GetStringAsync($"/compare?runs={ids[0]},{ids[1]},{ids[2]}&group=dropout.rate&x=time&smooth=0.5");
        Assert.Contains(">dropout.rate=0</span>", grouped, StringComparison.Ordinal);
        Assert.Contains(">dropout.rate=0.1</span>", grouped, StringComparison.Ordinal);
    }

    [Theory, SqliteData, PostgresData]
    public async Task Load_ComparesEachGroupWithTheBaseline_PairedBySeed_AndThePageSaysTheVerdict(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var ids = new List<long>();
        var points = new List<MetricPoint>();
        foreach (var rate in new[] { 0.0, 0.1 })
            for (var seed = 1; seed <= 3; seed++)
            {
                var id = await host.SubmitAsync(ApiHost.Config($"rate-{rate}-seed-{seed}") with { Seed = seed, Dropout = new DropSettings { Rate = rate } });
                ids.Add(id);
                // 0.1 ends 5 points above 0 on every seed (plus a little seed-to-seed noise): better, paired.
                points.Add(RunsApiTests.Point(id, MetricKeys.ValAcc, 1, 40));
                points.Add(RunsApiTests.Point(id, MetricKeys.ValAcc, 2, 70 + seed + (rate > 0 ? 5 + 0.1 * seed : 0)));
            }
        await host.Metrics.AppendAsync(points);
        var query = $"runs={string.Join(',', ids)}&metrics={MetricKeys.ValAcc}&group=dropout.rate&baseline=0";

        await using (var context = host.Database.CreateDbContext())
        {
            var result = await CompareQueries.LoadAsync(context, CompareState.FromQuery(query), CancellationToken.None);

            Assert.True(result.Summary[0].IsBaseline);
            var vs = result.Summary[1].Cells[0].VsBaseline!;
            Assert.Equal(Tracker.Web.Features.Compare.Statistics.ComparisonMethod.PairedT, vs.Estimate!.Method);
            Assert.Equal(5.2, vs.Estimate.Difference, 9);
            Assert.Equal(Tracker.Web.Features.Compare.Statistics.ComparisonVerdict.Better, vs.Verdict);
        }

        var html = await host.Client.GetStringAsync($"/compare?{query}");
        Assert.Contains(">better</td>", html, StringComparison.Ordinal);
        Assert.Contains("(baseline)", html, StringComparison.Ordinal);
    }

    [Theory, SqliteData, PostgresData]
    public async Task Load_WithAPointBudget_KeepsEachLineShort_AndItsFinalAndBestExact(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var id = await host.SubmitAsync(ApiHost.Config("long"));
        await host.Metrics.AppendAsync(Enumerable.Range(1, 5_000)
            .Select(step => RunsApiTests.Point(id, MetricKeys.TrainLoss, step, step == 2_500 ? 0.01 : 1.0 + Math.Sin(step) * 0.1)).ToList());
        var state = CompareState.FromQuery($"runs={id}&metrics={MetricKeys.TrainLoss}&x=step");

        await using var context = host.Database.CreateDbContext();
        var result = await CompareQueries.LoadAsync(context, state, CancellationToken.None, maxPointsPerLine: 200);

        var line = result.Charts.Single().Series.Single().Points;
        Assert.InRange(line.Count, 150, 200);
        Assert.Equal(1, line[0].X);
        Assert.Equal(5_000, line[^1].X);
        var cell = result.Summary.Single().Cells.Single();
        Assert.Equal(1.0 + Math.Sin(5_000) * 0.1, cell.Final!.Value, 12);
        Assert.Equal(0.01, cell.Best);
    }
}
