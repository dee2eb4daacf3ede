using System.Diagnostics;
using Tracker.Shared;
using Tracker.Tests.Support;
using Tracker.Web.Data;

namespace Tracker.Benchmarks;

/// <summary>
/// Points/s from one Python process (clients/python, benchmarks/python/ingest_client.py) into the app as a process on
/// SQLite, acknowledged, beside the server's own reference measured in the same run: the same 10,000-point batches
/// stored in-process through <see cref="RunEventStore.StoreAsync"/>, the ceiling HTTP and Python sit on.
/// </summary>
public static class PythonIngestBenchmark
{
    private const int Keys = 10;
    private const int BatchPoints = 10_000;
    private static readonly RunConfig ScriptRun = new() { Name = "bench" };

    public static int Run(string[] args)
    {
        var points = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 500_000;
        Console.WriteLine($"python-ingest benchmark: {points} points of {Keys} keys from one Python process (tracker_client), SQLite");
        var folder = Directory.CreateTempSubdirectory("tracker-python-ingest-").FullName;
        try
        {
            ServerReference(folder, points);
            return PythonClientAsync(folder, points).GetAwaiter().GetResult();
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void ServerReference(string folder, int points)
    {
        using var reference = InProcessStore.Start(folder);
        Store(reference.Store, reference.AddRun(ScriptRun, loggedByScript: true), 2 * BatchPoints); // compiles the path and EF's queries first
        var runId = reference.AddRun(ScriptRun, loggedByScript: true);
        var watch = Stopwatch.StartNew();
        Store(reference.Store, runId, points);
        var seconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine($"server alone   {points,9} points acknowledged in {seconds,6:F2} s = {points / seconds,9:F0} points/s "
            + $"(RunEventStore, {BatchPoints}-point batches in-process); load average {Machine.LoadAverage()}");
    }

    private static void Store(RunEventStore store, long runId, int points)
    {
        var seq = 0L;
        for (var first = 0; first < points; first += BatchPoints)
        {
            var batch = Enumerable.Range(first, Math.Min(BatchPoints, points - first))
                .Select(i => new LoggedPoint($"bench/metric{i % Keys}", i / Keys, i / Keys * 1e-3 + i % Keys, Time: DateTimeOffset.UtcNow)).ToList();
            store.StoreAsync(runId, [new PointsEvent { Seq = ++seq, Points = batch }]).GetAwaiter().GetResult();
        }
    }

    private static async Task<int> PythonClientAsync(string folder, int points)
    {
        await using var app = await RunningApp.StartAsync(["--urls", "http://127.0.0.1:0"],
        [
            ("Database__SqlitePath", Path.Combine(folder, "tracker.db")), ("Jobs__Workers", "0"), ("Jobs__RunsDirectory", Path.Combine(folder, "runs")),
            ("Logging__LogLevel__Default", "Warning"), ("Logging__LogLevel__Microsoft.Hosting.Lifetime", "Information"),
        ]);
        var root = RepositoryRoot();
        var start = new ProcessStartInfo(File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3") { WorkingDirectory = root };
        foreach (var argument in new[] { "benchmarks/python/ingest_client.py", "--points", points.ToString(System.Globalization.CultureInfo.InvariantCulture), "--keys", $"{Keys}" })
            start.ArgumentList.Add(argument);
        start.Environment["PYTHONPATH"] = Path.Combine(root, "clients", "python");
        start.Environment["TRACKER_SERVER"] = app.Address.ToString().TrimEnd('/');
        start.Environment["TRACKER_TOKEN"] = TestAuth.AdminToken;
        start.Environment["TRACKER_DIR"] = Path.Combine(folder, "spool");
        using var python = Process.Start(start)!;
        await python.WaitForExitAsync();
        Console.WriteLine($"load average {Machine.LoadAverage()}; goal: 50,000 points/s or more from one Python process on SQLite");
        return python.ExitCode;
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (Directory.Exists(Path.Combine(folder.FullName, "clients", "python"))) return folder.FullName;
        throw new DirectoryNotFoundException($"No clients/python above {AppContext.BaseDirectory}.");
    }
}
