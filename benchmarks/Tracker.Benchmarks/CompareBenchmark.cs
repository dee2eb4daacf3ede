using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tracker.Shared;
using Tracker.Web.Features.Compare;
using Tracker.Web.Data;

namespace Tracker.Benchmarks;

/// <summary>
/// The comparison page at scale: a SQLite database filled (in bulk, through the app's MetricWriter) with N runs of E
/// epochs of 8 metrics each, then GET /compare?runs=... (the prerendered HTML, through the whole app on the test
/// server) timed over several calls, beside the data load and aggregation alone. Prints p50 and p95.
/// </summary>
public static class CompareBenchmark
{
    private const int Warmup = 2;
    private const int Calls = 10;

    private static readonly string[] Keys =
    [
        MetricKeys.TrainLoss, MetricKeys.TrainAcc, MetricKeys.ValLoss, MetricKeys.ValAcc, MetricKeys.ValAcc5,
        MetricKeys.LearningRate, MetricKeys.DropoutRate, MetricKeys.SamplesPerSecond,
    ];

    public static int Run(string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0]) : 50;
        var epochs = args.Length > 1 ? int.Parse(args[1]) : 300;
        Console.WriteLine($"compare benchmark: {runs} runs x {epochs} epochs x {Keys.Length} metrics = {runs * epochs * Keys.Length} points, SQLite");
        var folder = Directory.CreateTempSubdirectory("tracker-compare-bench-").FullName;
        try
        {
            using var app = new BenchmarkApp(Path.Combine(folder, "tracker.db"));
            var contexts = app.Services.GetRequiredService<IDbContextFactory<TrackerDbContext>>();
            var watch = Stopwatch.StartNew();
            var ids = Fill(contexts, app.Services.GetRequiredService<MetricWriter>(), runs, epochs);
            Console.WriteLine($"filled in {watch.Elapsed.TotalSeconds:F1} s");

            var query = $"runs={string.Join(',', ids)}&metrics={string.Join(',', Keys)}";
            foreach (var (name, view) in new[] { ("one line per run", query), ("grouped by dropout.rate", query + "&group=dropout.rate") })
            {
                var state = CompareState.FromQuery(view);
                var load = Time(() =>
                {
                    using var context = contexts.CreateDbContext();
                    CompareQueries.LoadAsync(context, state, CancellationToken.None).GetAwaiter().GetResult();
                });
                using var client = app.CreateClient();
                var size = 0;
                var render = Time(() =>
                {
                    using var response = client.GetAsync($"/compare?{view}").GetAwaiter().GetResult();
                    response.EnsureSuccessStatusCode();
                    size = response.Content.ReadAsStringAsync().GetAwaiter().GetResult().Length;
                });
                Console.WriteLine($"{name}:");
                Console.WriteLine($"  data load + aggregation  p50 {load.P50,7:F1} ms  p95 {load.P95,7:F1} ms");
                Console.WriteLine($"  GET /compare (HTML)      p50 {render.P50,7:F1} ms  p95 {render.P95,7:F1} ms  ({size / 1024} KiB)");
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
        Console.WriteLine("goal: GET /compare within 1 s (p95)");
        return 0;
    }

    private static List<long> Fill(IDbContextFactory<TrackerDbContext> contexts, MetricWriter writer, int runs, int epochs)
    {
        var ids = new List<long>();
        var now = DateTime.UtcNow;
        using (var context = contexts.CreateDbContext())
        {
            var project = new Project { Name = $"compare-bench-{Guid.NewGuid():N}", CreatedAt = now };
            for (var i = 0; i < runs; i++)
            {
                var config = new RunConfig
                {
                    Name = $"bench-{i}", Seed = i % 5, Epochs = epochs, Model = KnownModels.Mlp, Dataset = KnownDatasets.Synthetic,
                    Dropout = new DropSettings { Rate = 0.1 * (i / 5 % 3), Mode = i % 2 == 0 ? DropMode.Standard : DropMode.Early, CutoffEpoch = i % 2 == 0 ? null : 50 },
                };
                var run = Tracker.Web.Data.Run.FromConfig(config, project, now);
                run.Status = RunStatus.Succeeded;
                run.StartedAt = now;
                context.Runs.Add(run);
            }
            context.SaveChanges();
            ids.AddRange(context.Runs.OrderBy(r => r.Id).Select(r => r.Id));
        }
        var random = new Random(1);
        foreach (var id in ids)
        {
            var points = new List<MetricPoint>(epochs * Keys.Length);
            for (var epoch = 1; epoch <= epochs; epoch++)
                foreach (var key in Keys)
                    points.Add(new MetricPoint
                    {
                        RunId = id, Key = key, Step = epoch * 100L, Epoch = epoch,
                        Value = 1.0 / epoch + random.NextDouble() * 0.05, Time = now.AddSeconds(epoch * 10),
                    });
            writer.AppendAsync(points).GetAwaiter().GetResult();
        }
        return ids;
    }

    private static (double P50, double P95) Time(Action call) => Time(call, Warmup, Calls);

    /// <summary>p50 and p95 in ms of <paramref name="calls"/> calls after <paramref name="warmup"/> untimed ones.</summary>
    internal static (double P50, double P95) Time(Action call, int warmup, int calls)
    {
        for (var i = 0; i < warmup; i++) call();
        var times = new List<double>();
        for (var i = 0; i < calls; i++)
        {
            var watch = Stopwatch.StartNew();
            call();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return (Percentile(times, 0.50), Percentile(times, 0.95));
    }

    private static double Percentile(List<double> sorted, double fraction) =>
        sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(fraction * sorted.Count) - 1)];

    /// <summary>
    /// The whole app on the test server, on the benchmark's database, without training workers. Any public type of the
    /// app names its assembly; the benchmark's own Program hides the app's.
    /// </summary>
    internal sealed class BenchmarkApp(string sqlitePath) : WebApplicationFactory<Tracker.Web.Features.Sharing.ShareLinks>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder) =>
            builder.UseContentRoot(WebProjectFolder())
                .UseSetting("urls", "http://127.0.0.1:0")
                .UseSetting("Database:SqlitePath", sqlitePath)
                .UseSetting("Jobs:Workers", "0")
                .UseSetting("Jobs:RunsDirectory", Path.Combine(Path.GetDirectoryName(sqlitePath)!, "runs"))
                .UseSetting(Tracker.Tests.Support.TestAuth.SettingKey, Tracker.Tests.Support.TestAuth.AdminToken)
                .UseEnvironment("Production")
                .ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));

        protected override void ConfigureClient(HttpClient client)
        {
            base.ConfigureClient(client);
            Tracker.Tests.Support.TestAuth.Authorize(client);
        }

        // The factory would look for the app beside the solution under its assembly name; it lives in src/Web.
        private static string WebProjectFolder()
        {
            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
                if (File.Exists(Path.Combine(folder.FullName, "src", "Web", "Tracker.Web.csproj"))) return Path.Combine(folder.FullName, "src", "Web");
            throw new InvalidOperationException($"src/Web not found above {AppContext.BaseDirectory}.");
        }
    }
}
