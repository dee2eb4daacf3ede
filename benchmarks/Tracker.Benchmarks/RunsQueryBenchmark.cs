using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Tracker.Shared;
using Tracker.Tests.Support;
using Tracker.Web.Features.Runs;
using Tracker.Web.Data;
using Tracker.Web.Features.Runs.Filtering;

namespace Tracker.Benchmarks;

/// <summary>
/// The /runs list on a SQLite database of many runs (100k by default, each with val/acc, val/loss and train/loss
/// summaries): the grid's query (filter-language query + quick filters + sort + one page, with its count) as the page
/// runs it, p50/p95 over repeated calls; then a real HTTP GET of /runs?q=... from the app started as a process.
/// </summary>
public static class RunsQueryBenchmark
{
    private const int Repeats = 30;
    private static readonly string[] Models = [KnownModels.Mlp, "convnet", KnownModels.VitNano, "vit-tiny", "mixer"];

    private static readonly (string Name, string? Query, RunSort Sort, bool Descending, int Page)[] Cases =
    [
        ("default view (newest first)", null, RunSort.Created, true, 1),
        ("issue example", "model = vit-nano AND (method = \"early dropout\" OR method = \"early s.d.\") AND val/acc > 80", RunSort.Created, true, 1),
        ("config + metric, by val acc, page 3", "lr < 0.001 AND dropPath.rate >= 0.1 AND max(val/acc) > 70", RunSort.ValAcc, true, 3),
        ("tag and NOT contains, by name", "tag = fig1 AND NOT name ~ seed-1", RunSort.Name, false, 2),
        ("rare match", "seed = 7 AND model = vit-nano AND min(val/loss) < 0.2", RunSort.Created, true, 1),
    ];

    public static int Run(string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var folder = Directory.CreateTempSubdirectory("tracker-runs-query-").FullName;
        try
        {
            var path = Path.Combine(folder, "tracker.db");
            var options = new DatabaseOptions { SqlitePath = path };
            var contextOptions = TrackerDatabase.Configure(new DbContextOptionsBuilder<SqliteTrackerDbContext>(), options, folder).Options;
            TrackerDbContext NewContext() => new SqliteTrackerDbContext((DbContextOptions<SqliteTrackerDbContext>)contextOptions);
            using (var context = NewContext()) TrackerDatabase.MigrateAsync(context).GetAwaiter().GetResult();

            var fill = Stopwatch.StartNew();
            Fill(path, runs);
            Console.WriteLine($"runs query benchmark: {runs} runs with 3 summaries each, inserted in {fill.Elapsed.TotalSeconds:F1} s (SQLite, {path})");

            foreach (var (name, query, sort, descending, page) in Cases)
            {
                if (!RunFilter.TryCompile(query, out var filter, out var error)) throw new InvalidOperationException(error.Message);
                var listQuery = new RunListQuery(null, null, null, null, sort, descending, page, 25, filter);
                var times = Time(() =>
                {
                    using var context = NewContext();
                    return RunQueries.ListAsync(context, listQuery, CancellationToken.None).GetAwaiter().GetResult().Total;
                }, out var total);
                Console.WriteLine($"  {name,-38} {total,7} matches  p50 {Percentile(times, 50),7:F1} ms  p95 {Percentile(times, 95),7:F1} ms");
            }
            var facets = Time(() =>
            {
                using var context = NewContext();
                return RunQueries.FacetsAsync(context, CancellationToken.None).GetAwaiter().GetResult().Tags.Count;
            }, out _);
            Console.WriteLine($"  {"quick-filter values (facets)",-38} {"",7}          p50 {Percentile(facets, 50),7:F1} ms  p95 {Percentile(facets, 95),7:F1} ms");
            SqliteConnection.ClearAllPools();
            Console.WriteLine("goal: a filtered, paged list query in 200 ms or less");

            TimePageAsync(path, folder, Cases[1].Query!).GetAwaiter().GetResult();
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
        return 0;
    }

    /// <summary>
    /// GET /runs?q=... from the real app (no workers). Server prerendering renders the page, its filter and quick
    /// filters; the grid loads its rows once the circuit starts, which is the query timed above.
    /// </summary>
    private static async Task TimePageAsync(string databasePath, string folder, string query)
    {
        await using var app = await RunningApp.StartAsync(["--urls", "http://127.0.0.1:0"],
        [
            ("Database__SqlitePath", databasePath), ("Jobs__Workers", "0"), ("Jobs__RunsDirectory", Path.Combine(folder, "runs")),
            ("Logging__LogLevel__Default", "Warning"), ("Logging__LogLevel__Microsoft.Hosting.Lifetime", "Information"),
        ]);
        using var client = app.CreateClient();
        var url = $"/runs?q={Uri.EscapeDataString(query)}&sort=valAcc&desc=true";
        var times = Time(() =>
        {
            using var response = client.GetAsync(url).GetAwaiter().GetResult();
            response.EnsureSuccessStatusCode();
            return (int)response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult().Length;
        }, out var bytes);
        Console.WriteLine($"  {"HTTP GET /runs?q=... (prerendered page)",-38} {bytes,7} bytes    p50 {Percentile(times, 50),7:F1} ms  p95 {Percentile(times, 95),7:F1} ms");
    }

    private static List<double> Time(Func<int> action, out int result)
    {
        result = action(); // warm-up: EF compiles the query, SQLite fills its cache
        action();
        var times = new List<double>();
        for (var i = 0; i < Repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            result = action();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        return times;
    }

    private static double Percentile(List<double> times, int percentile)
    {
        var sorted = times.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1)];
    }

    /// <summary>One transaction of prepared INSERTs: EF's change tracker would take minutes for this many rows.</summary>
    private static void Fill(string path, int runs)
    {
        using var connection = new SqliteConnection($"Data Source={path}");
        connection.Open();
        using var transaction = connection.BeginTransaction();
        var created = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var p = 1; p <= 10; p++) Execute(connection, transaction, """INSERT INTO "Projects" ("Id", "Name", "CreatedAt") VALUES ($id, $name, $created)""",
            ("$id", p), ("$name", $"project-{p}"), ("$created", created.ToString("O")));

        using var insertRun = Command(connection, transaction, """
            INSERT INTO "Runs" ("Id", "ProjectId", "Name", "Method", "Model", "Dataset", "Status", "Tags", "CreatedAt", "FinishedAt",
                "EpochsCompleted", "Progress", "Lr", "Epochs", "BatchSize", "Seed", "Optimizer", "WeightDecay", "WarmupEpochs", "LabelSmoothing",
                "DropoutRate", "DropoutMode", "DropoutSchedule", "DropoutCutoffEpoch", "DropPathRate", "DropPathMode", "DropPathSchedule",
                "DropPathCutoffEpoch", "RDropAlpha", "DropConnectRate", "L1", "L2", "TrainSubset")
            VALUES ($id, $project, $name, $method, $model, $dataset, 'Succeeded', $tags, $created, $created, $epochs, 1, $lr, $epochs, $batch,
                $seed, $optimizer, $wd, $warmup, $smoothing, $dropout, $dropoutMode, $dropoutSchedule, $dropoutCutoff, $dropPath, $dropPathMode,
                $dropPathSchedule, $dropPathCutoff, NULL, NULL, 0, 0, NULL)
            """);
        using var insertConfig = Command(connection, transaction, """INSERT INTO "RunConfigs" ("RunId", "Config") VALUES ($id, $config)""");
        using var insertSummary = Command(connection, transaction, """
            INSERT INTO "RunSummaries" ("RunId", "Key", "Last", "LastStep", "Min", "Max", "Count") VALUES ($run, $key, $last, 1000, $min, $max, 30)
            """);
        var random = new Random(42);
        for (var id = 1; id <= runs; id++)
        {
            var mode = (DropMode)(id % 3);
            var onDropPath = id % 2 == 0;
            var settings = new DropSettings { Rate = 0.1 * (id % 3), Mode = mode, CutoffEpoch = mode == DropMode.Standard ? null : 10 };
            var config = new RunConfig
            {
                Name = $"run-{id}-seed-{id % 10}", Project = $"project-{id % 10 + 1}", Tags = id % 4 == 0 ? ["fig1", "paper"] : ["sweep"],
                Model = Models[id % Models.Length], Dataset = KnownDatasets.Synthetic, Epochs = 30 + id % 3 * 10, Lr = id % 2 == 0 ? 5e-4 : 1e-3,
                Seed = id % 10, Dropout = onDropPath ? new DropSettings() : settings, DropPath = onDropPath ? settings : new DropSettings(),
            };
            var run = Tracker.Web.Data.Run.FromConfig(config, new Project { Id = id % 10 + 1, Name = config.Project }, created.AddSeconds(id));
            Set(insertRun, ("$id", (object?)id), ("$project", run.ProjectId), ("$name", run.Name), ("$method", run.Method),
                ("$model", run.Model), ("$dataset", run.Dataset), ("$tags", System.Text.Json.JsonSerializer.Serialize(run.Tags)), ("$created", run.CreatedAt.ToString("O")),
                ("$epochs", run.Epochs), ("$lr", run.Lr), ("$batch", run.BatchSize), ("$seed", run.Seed), ("$optimizer", run.Optimizer), ("$wd", run.WeightDecay),
                ("$warmup", run.WarmupEpochs), ("$smoothing", run.LabelSmoothing), ("$dropout", run.DropoutRate), ("$dropoutMode", run.DropoutMode),
                ("$dropoutSchedule", run.DropoutSchedule), ("$dropoutCutoff", (object?)run.DropoutCutoffEpoch ?? DBNull.Value), ("$dropPath", run.DropPathRate),
                ("$dropPathMode", run.DropPathMode), ("$dropPathSchedule", run.DropPathSchedule), ("$dropPathCutoff", (object?)run.DropPathCutoffEpoch ?? DBNull.Value));
            insertRun.ExecuteNonQuery();
            Set(insertConfig, ("$id", (object?)id), ("$config", RunConfigJson.Serialize(config)));
            insertConfig.ExecuteNonQuery();
            var accuracy = 40 + random.NextDouble() * 55;
            var loss = 0.1 + random.NextDouble() * 1.5;
            foreach (var (key, last, min, max) in new[]
            {
                (MetricKeys.ValAcc, accuracy - random.NextDouble() * 3, 10.0, accuracy), (MetricKeys.ValLoss, loss + 0.05, loss, 2.5),
                (MetricKeys.TrainLoss, loss * 0.8, loss * 0.7, 2.4),
            })
            {
                Set(insertSummary, ("$run", (object?)id), ("$key", key), ("$last", last), ("$min", min), ("$max", max));
                insertSummary.ExecuteNonQuery();
            }
        }
        transaction.Commit();
        using var analyze = Command(connection, null, "ANALYZE");
        analyze.ExecuteNonQuery();
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static void Set(SqliteCommand command, params (string Name, object? Value)[] values)
    {
        foreach (var (name, value) in values)
        {
            if (command.Parameters.Contains(name)) command.Parameters[name].Value = value ?? DBNull.Value;
            else command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction transaction, string sql, params (string Name, object? Value)[] values)
    {
        using var command = Command(connection, transaction, sql);
        Set(command, values);
        command.ExecuteNonQuery();
    }
}
