using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Support;

namespace Tracker.Web.IntegrationTests.Storage;

public class MetricWriterTests
{
    [Theory, SqliteData, PostgresData]
    public async Task Batch_StoresEveryPoint_AndSummarizesEachKey(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var runId = await Runs.AddAsync(database);
        var random = new Random(7);
        // Steps out of order within the batch, as two event kinds interleave them.
        var points = Enumerable.Range(1, 200).OrderBy(_ => random.Next())
            .SelectMany(step => new[]
            {
                Point(runId, MetricKeys.TrainLoss, step, 3.0 * Math.Exp(-step / 50.0) + random.NextDouble() * 0.1),
                Point(runId, MetricKeys.LearningRate, step, random.NextDouble() * 1e-3),
            })
            .ToList();

        await new MetricWriter(database).AppendAsync(points);

        await using var context = database.CreateDbContext();
        var stored = await context.MetricPoints.Where(p => p.RunId == runId && p.Key == MetricKeys.TrainLoss).OrderBy(p => p.Step).ToListAsync();
        var loss = points.Where(p => p.Key == MetricKeys.TrainLoss).OrderBy(p => p.Step).ToList();
        Assert.Equal(loss.Select(p => (p.Step, p.Epoch, p.Value, p.Time)), stored.Select(p => (p.Step, p.Epoch, p.Value, p.Time)));
        Assert.Equal(points.Count, await context.MetricPoints.CountAsync());
        Assert.Equal(Expected(points), await Summaries(context, runId));
    }

    [Theory, SqliteData, PostgresData]
    public async Task LaterBatches_MergeIntoTheStoredSummaries(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var runId = await Runs.AddAsync(database);
        var otherRunId = await Runs.AddAsync(database);
        var writer = new MetricWriter(database);
        var first = new[] { Point(runId, MetricKeys.ValAcc, 100, 0.61), Point(runId, MetricKeys.ValAcc, 200, 0.70), Point(otherRunId, MetricKeys.ValAcc, 100, 0.2) };
        var second = new[] { Point(runId, MetricKeys.ValAcc, 300, 0.66), Point(runId, MetricKeys.ValAcc, 400, 0.74), Point(runId, MetricKeys.ValLoss, 400, 0.9) };
        var third = new[] { Point(runId, MetricKeys.ValAcc, 500, 0.55) };

        await writer.AppendAsync(first);
        await writer.AppendAsync(second);
        await writer.AppendAsync(third);

        await using var context = database.CreateDbContext();
        Assert.Equal(Expected([.. first, .. second, .. third]), await Summaries(context, runId, otherRunId));
    }

    [Theory, SqliteData, PostgresData]
    public async Task OlderSteps_AfterNewerOnes_LeaveTheLastValueAtTheHighestStep(DatabaseProvider provider)
    {
        // A run resumed from a checkpoint reports again the steps after it.
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var runId = await Runs.AddAsync(database);
        var writer = new MetricWriter(database);

        await writer.AppendAsync([Point(runId, MetricKeys.TrainLoss, 10, 1.0), Point(runId, MetricKeys.TrainLoss, 20, 0.8)]);
        await writer.AppendAsync([Point(runId, MetricKeys.TrainLoss, 15, 0.1)]);

        await using var context = database.CreateDbContext();
        var summary = await context.RunSummaries.SingleAsync(s => s.RunId == runId);
        Assert.Equal((0.8, 20L), (summary.Last, summary.LastStep));
        Assert.Equal((0.1, 1.0, 3L), (summary.Min, summary.Max, summary.Count));
    }

    [Theory, SqliteData, PostgresData]
    public async Task NaN_IsDropped_AndInfinityKept(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var runId = await Runs.AddAsync(database);

        await new MetricWriter(database).AppendAsync([
            Point(runId, MetricKeys.TrainLoss, 1, 2.5),
            Point(runId, MetricKeys.TrainLoss, 2, double.PositiveInfinity),
            Point(runId, MetricKeys.TrainLoss, 3, double.NaN),
        ]);

        await using var context = database.CreateDbContext();
        Assert.Equal([1L, 2L], await context.MetricPoints.OrderBy(p => p.Step).Select(p => p.Step).ToListAsync());
        var summary = await context.RunSummaries.SingleAsync();
        Assert.Equal((double.PositiveInfinity, 2L, 2.5, double.PositiveInfinity, 2L), (summary.Last, summary.LastStep, summary.Min, summary.Max, summary.Count));
    }

    [Theory, SqliteData, PostgresData]
    public async Task FailingBatch_WritesNothing(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var runId = await Runs.AddAsync(database);
        var writer = new MetricWriter(database);

        // The last point names a run that does not exist: the foreign key fails after the others went in.
        var error = await Record.ExceptionAsync(() => writer.AppendAsync([
            Point(runId, MetricKeys.TrainLoss, 1, 2.0),
            Point(runId, MetricKeys.TrainAcc, 1, 0.3),
            Point(runId + 1000, MetricKeys.TrainLoss, 1, 2.0),
        ]));

        Assert.IsAssignableFrom<DbException>(error);
        await using var context = database.CreateDbContext();
        Assert.Equal(0, await context.MetricPoints.CountAsync());
        Assert.Equal(0, await context.RunSummaries.CountAsync());
    }

    [Theory, SqliteData, PostgresData]
    public async Task ChartQuery_ReadsThroughTheRunKeyStepIndex(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var runId = await Runs.AddAsync(database);
        await new MetricWriter(database).AppendAsync(Enumerable.Range(1, 500).SelectMany(step => new[]
        {
            Point(runId, MetricKeys.TrainLoss, step, 1.0 / step), Point(runId, MetricKeys.LearningRate, step, 1e-3),
        }).ToList());
        await using var context = database.CreateDbContext();
        // EF.Constant puts the id in the SQL text, so that ToQueryString gives a statement EXPLAIN can run as is.
        var chart = context.MetricPoints
            .Where(p => p.RunId == EF.Constant(runId) && p.Key == MetricKeys.TrainLoss)
            .OrderBy(p => p.Step)
            .Select(p => new { p.Step, p.Value });

        await context.Database.OpenConnectionAsync();
        // On a few hundred rows PostgreSQL would rather scan; forbid that, so the plan shows whether the index can serve the query.
        if (provider == DatabaseProvider.Postgres)
            await context.Database.ExecuteSqlRawAsync("SET enable_seqscan = off");
        var plan = await Explain(context, provider, chart.ToQueryString());

        Assert.Contains("IX_MetricPoints_RunId_Key_Step", plan);
        Assert.DoesNotContain("TEMP B-TREE", plan); // SQLite sorts nothing: the index gives the step order
        Assert.DoesNotContain("Sort", plan);         // nor does PostgreSQL
        Assert.Equal(500, await chart.CountAsync());
    }

    [Fact]
    public async Task LocalTimesAndOverlongKeys_AreRefusedBeforeAnythingIsWritten()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await database.MigrateAsync();
        var runId = await Runs.AddAsync(database);
        var writer = new MetricWriter(database);

        var local = await Record.ExceptionAsync(() => writer.AppendAsync([Point(runId, MetricKeys.TrainLoss, 1, 1.0), new MetricPoint { RunId = runId, Key = MetricKeys.TrainLoss, Time = DateTime.Now }]));
        var overlong = await Record.ExceptionAsync(() => writer.AppendAsync([Point(runId, new string('k', 65), 1, 1.0)]));

        Assert.IsType<ArgumentException>(local);
        Assert.IsType<ArgumentException>(overlong);
        await using var context = database.CreateDbContext();
        Assert.Equal(0, await context.MetricPoints.CountAsync());
    }

    private static async Task<string> Explain(TrackerDbContext context, DatabaseProvider provider, string query)
    {
        await using var command = context.Database.GetDbConnection().CreateCommand();
        command.CommandText = (provider == DatabaseProvider.Sqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN ") + query;
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        // SQLite's plan text is its fourth column; PostgreSQL's its only one.
        while (await reader.ReadAsync()) lines.Add(reader.GetString(reader.FieldCount - 1));
        return string.Join("\n", lines);
    }

    private static MetricPoint Point(long runId, string key, long step, double value) => new()
    {
        RunId = runId,
        Key = key,
        Step = step,
        Epoch = (int)(step / 100) + 1,
        Value = value,
        // Whole microseconds: PostgreSQL keeps no finer time.
        Time = Runs.Created.AddMilliseconds(step * 37.5),
    };

    /// <summary>The summaries computed the slow way, from all points at once.</summary>
    private static List<(long, string, double, long, double, double, long)> Expected(IEnumerable<MetricPoint> points) =>
        points.GroupBy(p => (p.RunId, p.Key))
            .Select(g =>
            {
                var last = g.MaxBy(p => p.Step)!;
                return (g.Key.RunId, g.Key.Key, last.Value, last.Step, g.Min(p => p.Value), g.Max(p => p.Value), (long)g.Count());
            })
            .OrderBy(s => s.RunId).ThenBy(s => s.Key, StringComparer.Ordinal)
            .ToList();

    private static async Task<List<(long, string, double, long, double, double, long)>> Summaries(TrackerDbContext context, params long[] runIds) =>
        (await context.RunSummaries.Where(s => runIds.Contains(s.RunId)).ToListAsync())
            .Select(s => (s.RunId, s.Key, s.Last, s.LastStep, s.Min, s.Max, s.Count))
            .OrderBy(s => s.RunId).ThenBy(s => s.Key, StringComparer.Ordinal)
            .ToList();
}
