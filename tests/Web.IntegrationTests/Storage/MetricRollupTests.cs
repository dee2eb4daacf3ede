using Microsoft.EntityFrameworkCore;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Support;

namespace Tracker.Web.IntegrationTests.Storage;

/// <summary>The buckets long charts read (docs/decisions/0035): kept by the writer as folding the whole history would make them.</summary>
public class MetricRollupTests
{
    private static MetricPoint Point(long runId, string key, long step, double value) => Api.RunsApiTests.Point(runId, key, step, value);

    [Theory, SqliteData, PostgresData]
    public async Task Buckets_WrittenInBatches_EqualTheWholeHistoryFolded_AndARebuildFromThePoints(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var runId = await Runs.AddAsync(database);
        var otherRunId = await Runs.AddAsync(database);
        var writer = new MetricWriter(database);
        var random = new Random(11);
        // Batches that straddle buckets, arrive out of order, repeat steps and values (ties), and mix runs and keys.
        var points = Enumerable.Range(0, 2_500).Select(step => Point(runId, MetricKeys.TrainLoss, step, Math.Round(random.NextDouble() * 4) / 4))
            .Concat(Enumerable.Range(0, 700).Select(step => Point(otherRunId, MetricKeys.TrainLoss, step * 3, random.NextDouble())))
            .Concat(Enumerable.Range(0, 300).Select(step => Point(runId, MetricKeys.ValAcc, step * 7, random.NextDouble())))
            .OrderBy(_ => random.Next()).ToList();
        points.AddRange(Enumerable.Range(0, 50).Select(i => Point(runId, MetricKeys.TrainLoss, random.Next(2_500), 0.5)));
        foreach (var batch in points.Chunk(97)) await writer.AppendAsync(batch);

        await using var context = database.CreateDbContext();
        var written = await Rows(context);
        // The whole history folded at once, in the order it was stored, is what the merged batches must add up to.
        var folded = MetricRollups.Fold(await context.MetricPoints.AsNoTracking().OrderBy(p => p.Id).ToListAsync());
        await context.MetricRollups.ExecuteDeleteAsync();
        Assert.Equal(2, await MetricWriter.BuildRollupsAsync(context, otherRunId, MetricKeys.TrainLoss, fromStep: 2_000, default));
        await MetricWriter.BuildRollupsAsync(context, runId, key: null, fromStep: 0, default);
        await MetricWriter.BuildRollupsAsync(context, otherRunId, MetricKeys.TrainLoss, fromStep: 0, default);

        var rebuilt = await Rows(context);
        Assert.Equal(3 + 25 + 3 + 21 + 3 + 21, written.Count);
        Assert.Equal(Text(Order(folded)), Text(written));
        Assert.Equal(Text(written), Text(rebuilt));
        var first = written.Single(r => r.RunId == runId && r.Key == MetricKeys.TrainLoss && r.Span == 100 && r.Bucket == 0);
        Assert.Equal((0L, 99L), (first.FirstStep, first.LastStep));
        Assert.True(first.Count >= 100);
    }

    [Theory, SqliteData, PostgresData]
    public async Task TruncateAfter_RebuildsTheBucketsItCut_AndDropsTheLaterOnes(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var runId = await Runs.AddAsync(database);
        var writer = new MetricWriter(database);
        await writer.AppendAsync([.. Enumerable.Range(0, 3_000).Select(step => Point(runId, MetricKeys.TrainLoss, step, step == 1_250 ? 99 : step % 17))]);

        await writer.TruncateAfterAsync(runId, resumeStep: 1_234, resumeEpoch: 1);

        await using var context = database.CreateDbContext();
        var truncated = await Rows(context);
        var cut = truncated.Single(r => r.Span == 100 && r.Bucket == 12);
        Assert.Equal((35L, 1_234L, 1_200L), (cut.Count, cut.LastStep, cut.FirstStep));
        Assert.Equal(1_234L, truncated.Single(r => r.Span == 1_000 && r.Bucket == 1).LastStep);
        Assert.DoesNotContain(truncated, r => r.MaxValue == 99);
        Assert.Equal(2 + 13, truncated.Count);
        var folded = MetricRollups.Fold(await context.MetricPoints.AsNoTracking().OrderBy(p => p.Id).ToListAsync());
        Assert.Equal(Text(Order(folded)), Text(truncated));
    }

    private static async Task<List<MetricRollup>> Rows(TrackerDbContext context) => Order(await context.MetricRollups.AsNoTracking().ToListAsync());

    private static List<MetricRollup> Order(IEnumerable<MetricRollup> rows) =>
        [.. rows.OrderBy(r => r.RunId).ThenBy(r => r.Key, StringComparer.Ordinal).ThenBy(r => r.Span).ThenBy(r => r.Bucket)];

    /// <summary>Every column of every row, comparable as text.</summary>
    private static List<string> Text(List<MetricRollup> rows) =>
        [.. rows.Select(r => string.Join(' ', MetricRollups.Values(r).Select(v => v is DateTime t ? t.ToUniversalTime().ToString("O") : Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture))))];
}
