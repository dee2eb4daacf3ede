using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Tracker.Shared;
using Tracker.Tests.Support;
using Tracker.Web.Data;

namespace Tracker.Benchmarks;

/// <summary>
/// Points/s from a remote worker into the server (issue 12), on the real path: the app as its own process on SQLite, a
/// worker token, and tracker-worker as its own process, which claims the run, trains it in a child process whose events
/// go through its LiteDB outbox and over HTTP (POST /api/workers/{id}/runs/{runId}/events) into the server's store. The
/// child is a synthetic trainer (<see cref="SyntheticTrainer"/>): step, epoch, analysis and system events with the keys a
/// real run logs, written at full speed, so the figure is the worker and the server, not training. Measured from the
/// child's first event to the server's stored sequence reaching its last; the stored points are counted afterwards.
/// Beside it, in the same run, the server's own store alone for the same events in the worker's batch size.
/// </summary>
public static class RemoteIngestBenchmark
{
    private const double GoalPointsPerSecond = 50_000;

    public static int Run(string[] args)
    {
        var points = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var plan = SyntheticTrainer.Plan("remote-ingest", points);
        Console.WriteLine($"remote-ingest benchmark: {plan.Points} points in {plan.Events} events ({plan.Config.Epochs} epochs of "
            + $"{plan.Config.MaxStepsPerEpoch} step events of {SyntheticTrainer.StepKeys.Length} metrics, then analysis, system and epoch events) "
            + $"from tracker-worker into the app on SQLite; load average {Machine.LoadAverage()}");
        var folder = Directory.CreateTempSubdirectory("tracker-remote-ingest-").FullName;
        try
        {
            var reference = ServerReference(folder, points);
            var remote = RemoteWorkerAsync(folder, points).GetAwaiter().GetResult();
            if (remote is null) return 1;
            Console.WriteLine($"the worker reaches {remote.Value / reference:P0} of the server's own store");
            Console.WriteLine($"goal: >= 50k points/s acknowledged: {(remote.Value >= GoalPointsPerSecond ? "met" : "NOT met")}; load average {Machine.LoadAverage()}");
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The same events stored in-process through <see cref="RunEventStore.StoreAsync(long, IReadOnlyList{TrainingEvent}, CancellationToken)"/>, in the worker's batches.</summary>
    private static double ServerReference(string folder, int points)
    {
        using var reference = InProcessStore.Start(folder);
        var warmUp = SyntheticTrainer.Plan("warm-up", points / 2).Config;
        Store(reference.Store, reference.AddRun(warmUp), warmUp); // compiles the path and EF's queries first
        var plan = SyntheticTrainer.Plan("reference", points);
        var runId = reference.AddRun(plan.Config);
        var watch = Stopwatch.StartNew();
        Store(reference.Store, runId, plan.Config);
        var seconds = watch.Elapsed.TotalSeconds;
        using var context = reference.Contexts.CreateDbContext();
        var stored = context.MetricPoints.Count(p => p.RunId == runId);
        Console.WriteLine($"server alone   {stored,9} points acknowledged in {seconds,6:F2} s = {stored / seconds,9:F0} points/s "
            + $"(RunEventStore, {WorkerProtocol.MaxEventsPerBatch}-event batches in-process); load average {Machine.LoadAverage()}");
        return stored / seconds;
    }

    private static void Store(RunEventStore store, long runId, RunConfig config)
    {
        foreach (var batch in SyntheticTrainer.Events(config, lastSeq: 0).TakeWhile(e => e is not RunFinishedEvent).Chunk(WorkerProtocol.MaxEventsPerBatch))
            store.StoreAsync(runId, batch).GetAwaiter().GetResult();
    }

    /// <summary>The points/s the server acknowledged from tracker-worker, or null when a run did not store them all.</summary>
    private static async Task<double?> RemoteWorkerAsync(string folder, int points)
    {
        var database = Path.Combine(folder, "tracker.db");
        await using var app = await RunningApp.StartAsync(["--urls", "http://127.0.0.1:0"],
        [
            ("Database__SqlitePath", database), ("Jobs__Workers", "0"), ("Jobs__RunsDirectory", Path.Combine(folder, "server-runs")),
            ("Logging__LogLevel__Default", "Warning"), ("Logging__LogLevel__Microsoft.Hosting.Lifetime", "Information"),
        ]);
        using var admin = app.CreateClient();
        using var created = await admin.PostAsJsonAsync("/api/tokens", new { name = "bench worker", scope = "worker" });
        if (created.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"No worker token: {await created.Content.ReadAsStringAsync()}");
        var token = (await created.Content.ReadFromJsonAsync<JsonNode>())!["token"]!.GetValue<string>();
        var work = Path.Combine(folder, "worker");
        // The worker's child is this program, which the variable tells to act as the synthetic trainer.
        await using var worker = WorkerProcess.Start(app.Address, token, "bench-worker", work,
            new Dictionary<string, string> { [SyntheticTrainer.Variable] = "1" },
            "--engine", Path.Combine(AppContext.BaseDirectory, "Tracker.Benchmarks.dll"));
        using var poll = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadOnly }.ToString());
        // A first, smaller run through the same worker and app, so the measured one runs compiled code, as a long-lived worker does.
        if (await TrainAsync(app, admin, poll, worker, work, SyntheticTrainer.Plan("remote-ingest-warm-up", points / 2)) is null) return null;
        return await TrainAsync(app, admin, poll, worker, work, SyntheticTrainer.Plan("remote-ingest", points), report: true);
    }

    /// <summary>Submits the run, lets the worker train it, and answers the points/s acknowledged; null when not all were stored.</summary>
    private static async Task<double?> TrainAsync(RunningApp app, HttpClient admin, SqliteConnection poll, WorkerProcess worker, string work,
        (RunConfig Config, int Points, int Events) plan, bool report = false)
    {
        using var submitted = await admin.PostAsync("/api/runs", new StringContent(RunConfigJson.Serialize(plan.Config), System.Text.Encoding.UTF8, "application/json"));
        if (submitted.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"The run was refused: {await submitted.Content.ReadAsStringAsync()}");
        var runId = (await submitted.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<long>();
        if (poll.State != System.Data.ConnectionState.Open) await poll.OpenAsync();
        var deadline = Stopwatch.StartNew();
        DateTimeOffset? reached = null;
        string status;
        while (true)
        {
            var (storedSeq, runStatus) = RunState(poll, runId);
            status = runStatus;
            // The finished event goes to /complete; every event before it came through /events.
            if (reached is null && storedSeq >= plan.Events) reached = DateTimeOffset.UtcNow;
            if (!status.Equals("queued", StringComparison.OrdinalIgnoreCase) && !status.Equals("running", StringComparison.OrdinalIgnoreCase)) break;
            if (worker.HasExited || deadline.Elapsed > TimeSpan.FromMinutes(10))
            {
                Console.Error.WriteLine($"run {runId} stopped at sequence {storedSeq} of {plan.Events} ({status})\n--- worker ---\n{worker.Log}\n--- app ---\n{app.Log}");
                return null;
            }
            await Task.Delay(20);
        }
        var timing = SyntheticTrainer.ReadTiming(Path.Combine(work, runId.ToString(CultureInfo.InvariantCulture)));
        var stored = StoredPoints(poll, runId);
        if (reached is null || stored != plan.Points || timing is null)
        {
            Console.Error.WriteLine($"run {runId} ended {status} with {stored} of {plan.Points} points stored\n--- worker ---\n{worker.Log}\n--- app ---\n{app.Log}");
            return null;
        }
        var seconds = (reached.Value - timing.Value.First).TotalSeconds;
        var written = (timing.Value.Last - timing.Value.First).TotalSeconds;
        if (report)
            Console.WriteLine($"remote worker  {stored,9} points acknowledged in {seconds,6:F2} s = {stored / seconds,9:F0} points/s "
                + $"(tracker-worker: child's stdout -> LiteDB outbox -> HTTP batches of up to {WorkerProtocol.MaxEventsPerBatch} events; "
                + $"the child wrote its last event after {written:F2} s); run {status.ToLowerInvariant()}; load average {Machine.LoadAverage()}");
        return stored / seconds;
    }

    private static (long StoredSeq, string Status) RunState(SqliteConnection connection, long runId)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT StoredSeq, Status FROM Runs WHERE Id = $id";
        command.Parameters.AddWithValue("$id", runId);
        using var reader = command.ExecuteReader();
        if (!reader.Read()) throw new InvalidOperationException($"No run {runId}");
        return (reader.GetInt64(0), reader.GetValue(1).ToString()!);
    }

    private static long StoredPoints(SqliteConnection connection, long runId)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM MetricPoints WHERE RunId = $id";
        command.Parameters.AddWithValue("$id", runId);
        return (long)command.ExecuteScalar()!;
    }
}
