using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Features.Compare;
using Tracker.Web.Features.Runs;

namespace Tracker.Benchmarks;

/// <summary>
/// Long series: R runs of P points of one key each (default 20 x 1,000,000), in SQLite. Times, p50 and p95: the run
/// page's chart data (downsampled to <see cref="MetricQueries.ChartPoints"/>, from the stored buckets past
/// <see cref="RollupReads.RawReadLimit"/> points) and GET /runs/{id} (the
/// prerendered HTML, charts included); the comparison's data load for all R runs and GET /compare of them. Arguments:
/// runs, points per run, timed calls per figure (5).
/// </summary>
public static class LongSeriesBenchmark
{
    private const int Warmup = 1;

    public static int Run(string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0]) : 20;
        var points = args.Length > 1 ? int.Parse(args[1]) : 1_000_000;
        var calls = args.Length > 2 ? int.Parse(args[2]) : 5;
        Console.WriteLine($"long-series benchmark: {runs} runs x {points:N0} points of {MetricKeys.TrainLoss}, SQLite, {Environment.ProcessorCount} cores");
        var folder = Directory.CreateTempSubdirectory("tracker-long-series-bench-").FullName;
        try
        {
            using var app = new CompareBenchmark.BenchmarkApp(Path.Combine(folder, "tracker.db"));
            var contexts = app.Services.GetRequiredService<IDbContextFactory<TrackerDbContext>>();
            var watch = Stopwatch.StartNew();
            var ids = Fill(contexts, runs, points);
            Console.WriteLine($"filled in {watch.Elapsed.TotalSeconds:F1} s");
            watch.Restart();
            BuildRollups(contexts, ids);
            Console.WriteLine($"buckets built (as a first read of an older run does) in {watch.Elapsed.TotalSeconds:F1} s ({watch.Elapsed.TotalSeconds / runs:F1} s per run)");
            Console.WriteLine($"load average (1, 5, 15 min): {LoadAverage()}");
            using var client = app.CreateClient();

            var load = CompareBenchmark.Time(() =>
            {
                using var context = contexts.CreateDbContext();
                var metrics = MetricQueries.DownsampledSeriesAsync(context, ids[0], null, MetricQueries.ChartPoints, CancellationToken.None).GetAwaiter().GetResult();
                if (metrics.Series.Single().Points.Count > MetricQueries.ChartPoints) throw new InvalidOperationException("More points than asked for.");
            }, Warmup, calls);
            var page = CompareBenchmark.Time(() => Get(client, Tracker.Web.AppUrls.Run(ids[0])), Warmup, calls);
            Console.WriteLine("run page, one run:");
            Console.WriteLine($"  chart data ({points:N0} points, keep {MetricQueries.ChartPoints})  p50 {load.P50,7:F1} ms  p95 {load.P95,7:F1} ms");
            Console.WriteLine($"  GET /runs/{{id}} (HTML)                   p50 {page.P50,7:F1} ms  p95 {page.P95,7:F1} ms");

            var query = $"runs={string.Join(',', ids)}&metrics={MetricKeys.TrainLoss}&x=step";
            var state = CompareState.FromQuery(query);
            var compareLoad = CompareBenchmark.Time(() =>
            {
                using var context = contexts.CreateDbContext();
                CompareQueries.LoadAsync(context, state, CancellationToken.None, MetricQueries.ChartPoints).GetAwaiter().GetResult();
            }, Warmup, calls);
            var comparePage = CompareBenchmark.Time(() => Get(client, $"/compare?{query}"), Warmup, calls);
            Console.WriteLine($"compare, {runs} runs:");
            Console.WriteLine($"  data load + aggregation                  p50 {compareLoad.P50,7:F1} ms  p95 {compareLoad.P95,7:F1} ms");
            Console.WriteLine($"  GET /compare (HTML)                      p50 {comparePage.P50,7:F1} ms  p95 {comparePage.P95,7:F1} ms");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
        Console.WriteLine($"load average (1, 5, 15 min): {LoadAverage()}");
        Console.WriteLine("goal: run page under 1 s, /compare of 20 runs under 2 s");
        return 0;
    }

    /// <summary>
    /// The fill writes points past the app's writer, as a run recorded before buckets existed: each line's buckets are
    /// built the way such a run's first chart read builds them (docs/decisions/0035), timed, as it is what an upgrade costs.
    /// </summary>
    private static void BuildRollups(IDbContextFactory<TrackerDbContext> contexts, List<long> ids)
    {
        foreach (var id in ids)
        {
            using var context = contexts.CreateDbContext();
            MetricWriter.BuildRollupsAsync(context, id, MetricKeys.TrainLoss, fromStep: 0, CancellationToken.None).GetAwaiter().GetResult();
        }
    }

    /// <summary>The machine is shared: figures mean little without its load.</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static int Get(HttpClient client, string url)
    {
        using var response = client.GetAsync(url).GetAwaiter().GetResult();
        response.EnsureSuccessStatusCode();
        return response.Content.ReadAsStringAsync().GetAwaiter().GetResult().Length;
    }

    /// <summary>
    /// Runs through EF; their points by one INSERT ... SELECT over a recursive counter per run, inside SQLite: the
    /// benchmark is about reading, and 20 million rows through the app's writer would take most of its time. One time
    /// for every point (formatting 20 million dates doubled the fill); the views read are plotted by step.
    /// </summary>
    private static List<long> Fill(IDbContextFactory<TrackerDbContext> contexts, int runs, int points)
    {
        var now = new DateTime(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);
        using var context = contexts.CreateDbContext();
        var project = new Project { Name = $"long-series-bench-{Guid.NewGuid():N}", CreatedAt = now };
        var created = new List<Tracker.Web.Data.Run>();
        for (var i = 0; i < runs; i++)
        {
            var config = new RunConfig { Name = $"long-{i}", Seed = i, Epochs = 100, Model = KnownModels.Mlp, Dataset = KnownDatasets.Synthetic };
            var run = Tracker.Web.Data.Run.FromConfig(config, project, now);
            run.Status = RunStatus.Succeeded;
            run.StartedAt = now;
            created.Add(run);
        }
        context.Runs.AddRange(created);
        context.SaveChanges();
        var stepsPerEpoch = Math.Max(1, points / 100);
        foreach (var run in created)
        {
            // Numbers only, from this method: nothing to inject.
            var insert = $"""
                INSERT INTO "MetricPoints" ("RunId", "Key", "Step", "Epoch", "Value", "Time")
                WITH RECURSIVE counter(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM counter WHERE i < {points})
                SELECT {run.Id}, '{MetricKeys.TrainLoss}', i, (i - 1) / {stepsPerEpoch} + 1,
                       CASE WHEN i = {points / 3} THEN 25.0 ELSE 2.0 / (1 + i / 10000.0) + (abs(random()) % 1000) / 10000.0 END,
                       '2026-03-01 12:00:00'
                FROM counter
                """;
            context.Database.ExecuteSqlRaw(insert);
            context.RunSummaries.Add(new Tracker.Web.Data.RunSummary { RunId = run.Id, Key = MetricKeys.TrainLoss, Last = 0.1, LastStep = points, Min = 0.05, Max = 25, Count = points });
        }
        context.SaveChanges();
        return created.Select(r => r.Id).ToList();
    }
}
