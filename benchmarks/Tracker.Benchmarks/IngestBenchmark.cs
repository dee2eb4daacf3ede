using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Extensions;
using Tracker.Web.Jobs;
using Tracker.Web.Realtime;

namespace Tracker.Benchmarks;

/// <summary>
/// Metric ingest as a run produces it: step events of 8 metrics each posted to the run's event
/// sink, which publishes them live and writes them in batches, on the app's own storage wiring
/// (migrated database, MetricWriter). SQLite always; PostgreSQL when TRACKER_TEST_POSTGRES names
/// a server (run-benchmark.sh starts a throwaway one). Beside each figure, the same points written the way they were
/// before events were acknowledged (<see cref="MetricWriter.AppendAsync"/> in the sink's batch size, no event rows, no
/// stored sequence), measured in the same run: the price of acknowledgement.
/// </summary>
public static class IngestBenchmark
{
    private const int MetricsPerEvent = 8;

    public static int Run(string[] args)
    {
        var points = args.Length > 0 ? int.Parse(args[0]) : 100_000;
        Console.WriteLine($"ingest benchmark: {points} points as step events of {MetricsPerEvent} metrics, through RunEventSink");
        var folder = Directory.CreateTempSubdirectory("tracker-ingest-").FullName;
        try
        {
            Measure("SQLite", new() { ["Database:Provider"] = "sqlite", ["Database:SqlitePath"] = Path.Combine(folder, "tracker.db") }, points, folder);
            var postgres = Environment.GetEnvironmentVariable("TRACKER_TEST_POSTGRES");
            if (string.IsNullOrEmpty(postgres)) Console.WriteLine("PostgreSQL: skipped (TRACKER_TEST_POSTGRES is not set; run-benchmark.sh starts a server)");
            else Measure("PostgreSQL", new() { ["Database:Provider"] = "postgres", ["Database:ConnectionString"] = postgres }, points, folder);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
        Console.WriteLine("goal: 100k points/s or more on SQLite, acknowledged");
        return 0;
    }

    private static void Measure(string name, Dictionary<string, string?> settings, int points, string contentRoot)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = contentRoot });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddTrackerData();
        builder.AddTrackerRealtime();
        using var app = builder.Build();
        app.StartAsync().GetAwaiter().GetResult(); // applies the migrations, as the app does before serving

        var contexts = app.Services.GetRequiredService<IDbContextFactory<TrackerDbContext>>();
        var keys = Enumerable.Range(0, MetricsPerEvent).Select(i => $"bench/metric{i}").ToArray();
        // Each path once on a run of its own first, so neither figure includes compiling the code and EF's queries.
        var writer = app.Services.GetRequiredService<MetricWriter>();
        MeasureWithoutAcknowledgement(writer, AddRun(contexts), keys, 2 * RunEventSink.MaxBatch);
        Ingest(app.Services, AddRun(contexts), keys, 2 * RunEventSink.MaxBatch);
        var unacknowledged = MeasureWithoutAcknowledgement(writer, AddRun(contexts), keys, points);

        var runId = AddRun(contexts);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        Ingest(app.Services, runId, keys, points);
        var seconds = watch.Elapsed.TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;

        using var context = contexts.CreateDbContext();
        var stored = context.MetricPoints.Count(p => p.RunId == runId);
        // Points per CPU-second as well: on a shared machine it moves much less with the load than the wall-clock figure.
        Console.WriteLine($"{name,-11} {stored,8} points stored in {seconds,6:F2} s = {stored / seconds,10:F0} points/s acknowledged "
            + $"({stored / cpuSeconds:F0} per CPU-second); {unacknowledged.Wall,10:F0} points/s unacknowledged, MetricWriter alone "
            + $"({unacknowledged.PerCpuSecond:F0} per CPU-second); load average {Machine.LoadAverage()}");
        app.StopAsync().GetAwaiter().GetResult();
    }

    /// <summary>
    /// Acknowledgement on: each batch is stored with its events and the run's stored sequence in one transaction, and
    /// announced only after the commit, as a training run's are.
    /// </summary>
    private static void Ingest(IServiceProvider services, long runId, string[] keys, int points)
    {
        var sink = new RunEventSink(runId, services.GetRequiredService<RunEventStore>(), services.GetRequiredService<RunEventFeed>(),
            services.GetRequiredService<StorageHealth>(), SinkLimits.From(new JobsOptions()), NullLogger.Instance, reason => throw new InvalidOperationException(reason));
        for (var step = 1; step <= points / MetricsPerEvent; step++)
            sink.Post(new StepEvent { Seq = step, Step = step, Epoch = 1, Metrics = keys.ToDictionary(k => k, _ => step * 0.001) });
        sink.CompleteAsync().GetAwaiter().GetResult();
        if (sink.AckedSeq != points / MetricsPerEvent) throw new InvalidOperationException($"Acknowledged {sink.AckedSeq} of {points / MetricsPerEvent} events.");
    }

    /// <summary>Points/s of the same step metrics through <see cref="MetricWriter.AppendAsync"/>, in batches of the sink's size.</summary>
    private static (double Wall, double PerCpuSecond) MeasureWithoutAcknowledgement(MetricWriter writer, long runId, string[] keys, int points)
    {
        var now = DateTime.UtcNow;
        var batch = new List<MetricPoint>(RunEventSink.MaxBatch);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        for (var step = 1; step <= points / MetricsPerEvent; step++)
        {
            foreach (var key in keys) batch.Add(new MetricPoint { RunId = runId, Key = key, Step = step, Epoch = 1, Value = step * 0.001, Time = now });
            if (batch.Count < RunEventSink.MaxBatch) continue;
            writer.AppendAsync(batch).GetAwaiter().GetResult();
            batch = new List<MetricPoint>(RunEventSink.MaxBatch);
        }
        if (batch.Count > 0) writer.AppendAsync(batch).GetAwaiter().GetResult();
        var written = points / MetricsPerEvent * MetricsPerEvent;
        return (written / watch.Elapsed.TotalSeconds, written / (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
    }

    private static long AddRun(IDbContextFactory<TrackerDbContext> contexts)
    {
        using var context = contexts.CreateDbContext();
        var now = DateTime.UtcNow;
        var run = Tracker.Web.Data.Run.FromConfig(new RunConfig { Name = "ingest-benchmark" }, new Project { Name = $"bench-{Guid.NewGuid():N}", CreatedAt = now }, now);
        context.Runs.Add(run);
        context.SaveChanges();
        return run.Id;
    }
}
