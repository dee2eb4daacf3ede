using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Tracker.Shared;
using Tracker.Tests.Support;

namespace Tracker.Web.IntegrationTests.Workers;

/// <summary>
/// The Slurm cluster the tests submit to: the throwaway single-node one ./test.sh starts (scripts/common.sh,
/// start_test_slurm), named by SLURM_CONF. A missing cluster fails the tests unless TRACKER_SKIP_SLURM=1 says to skip.
/// </summary>
public static class SlurmCluster
{
    public const string SkipVariable = "TRACKER_SKIP_SLURM";

    public static bool IsUp => Environment.GetEnvironmentVariable("TRACKER_TEST_SLURM") == "1";

    public static string? SkipReason => !IsUp && Environment.GetEnvironmentVariable(SkipVariable) == "1"
        ? $"{SkipVariable}=1 and no test cluster: Slurm tests skipped"
        : null;

    public static void Require()
    {
        if (!IsUp)
            throw new InvalidOperationException(
                $"No test Slurm cluster: run ./test.sh, which starts one (start_test_slurm), or set {SkipVariable}=1 to skip the Slurm tests.");
    }

    /// <summary>Runs a Slurm command against the test cluster and returns its stdout.</summary>
    public static async Task<string> RunAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error}");
        return output;
    }

    /// <summary>The finished jobs as sacct reports them from the cluster's job-completion log: name to state.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> CompletedJobsAsync() =>
        (await RunAsync("sacct", "--completion", "-n", "-P", "-o", "JobName,State"))
        .Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(row => row.Split('|'))
        .GroupBy(row => row[0].Trim())
        .ToDictionary(group => group.Key, group => group.Last()[1].Trim());
}

/// <summary>A fact that needs the test Slurm cluster; skipped only when TRACKER_SKIP_SLURM=1 says so.</summary>
public sealed class SlurmFactAttribute : FactAttribute
{
    public SlurmFactAttribute() => Skip = SlurmCluster.SkipReason!;
}

/// <summary>
/// tracker-worker --slurm against the real app and a real (single-node) Slurm cluster: a queued run becomes a Slurm job
/// that trains it, and its metrics reach Tracker; cancel maps both ways (decision 0067).
/// </summary>
public sealed class SlurmWorkerTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private readonly string _folder = Directory.CreateTempSubdirectory("tracker-slurm-worker-").FullName;
    private RunningApp _app = null!;
    private WorkerProcess _worker = null!;

    public async Task InitializeAsync()
    {
        if (SlurmCluster.SkipReason is not null) return;
        SlurmCluster.Require();
        _app = await RunningApp.StartAsync(["--urls", "http://127.0.0.1:0"],
        [
            ("Database__SqlitePath", Path.Combine(_folder, "tracker.db")), ("Jobs__RunsDirectory", Path.Combine(_folder, "server-runs")),
            ("Jobs__Workers", "0"), ("Jobs__HeartbeatSeconds", "0.5"), ("Jobs__LeaseSeconds", "60"),
        ]);
        using var admin = _app.CreateClient();
        using var created = await admin.PostAsJsonAsync("/api/tokens", new { name = "slurm login node", scope = "worker" });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var token = (await created.Content.ReadFromJsonAsync<JsonNode>())!["token"]!.GetValue<string>();
        // The work folder is on this machine, which is the cluster's only node: the storage a real cluster's nodes share.
        _worker = WorkerProcess.Start(_app.Address, token, "slurm", Path.Combine(_folder, "work"), "--slurm", "--slots", "2");
    }

    public async Task DisposeAsync()
    {
        if (_worker is not null) await _worker.DisposeAsync();
        if (_app is not null) await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private static RunConfig Config(string name, int epochs) => new()
    {
        Name = name, Project = "slurm", Model = KnownModels.Mlp, Dataset = KnownDatasets.Synthetic, TrainSubset = 4096, BatchSize = 32,
        Epochs = epochs, MaxStepsPerEpoch = 50, Device = DeviceKind.Cpu, Seed = 5,
    };

    private async Task<long> SubmitAsync(RunConfig config)
    {
        using var admin = _app.CreateClient();
        using var response = await admin.PostAsync("/api/runs", new StringContent(RunConfigJson.Serialize(config), System.Text.Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<long>();
    }

    private async Task<JsonNode> WaitForRunAsync(long runId, Func<JsonNode, bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            using var admin = _app.CreateClient();
            var run = (await admin.GetFromJsonAsync<JsonNode>($"/api/runs/{runId}"))!;
            if (condition(run)) return run;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Run {runId} did not get there within {Patience}: {run}\n--- worker ---\n{_worker.Log}\n--- app ---\n{_app.Log}");
            await Task.Delay(200);
        }
    }

    private static string Status(JsonNode run) => run["status"]!.GetValue<string>();

    private static int EpochsCompleted(JsonNode run) => run["epochsCompleted"]!.GetValue<int>();

    private static string JobName(long runId) => $"tracker-run-{runId}";

    private async Task<string> JobStateAsync(long runId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            // The completion log is written as the job ends, a moment after the run's last event.
            if ((await SlurmCluster.CompletedJobsAsync()).TryGetValue(JobName(runId), out var state)) return state;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"sacct never listed {JobName(runId)}.\n{_worker.Log}");
            await Task.Delay(500);
        }
    }

    [SlurmFact]
    public async Task AQueuedRun_RunsAsASlurmJob_AndItsMetricsArriveInTracker()
    {
        var runId = await SubmitAsync(Config("slurm-end-to-end", epochs: 3));

        var finished = await WaitForRunAsync(runId, run => Status(run) is not ("queued" or "running"));

        Assert.True(Status(finished) == "succeeded", $"{finished}\n--- worker ---\n{_worker.Log}");
        Assert.Equal("COMPLETED", await JobStateAsync(runId));
        using var admin = _app.CreateClient();
        var events = (await admin.GetFromJsonAsync<JsonArray>($"/api/runs/{runId}/events?after=0"))!;
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e!["seq"]!.GetValue<long>()));
        var series = (await admin.GetFromJsonAsync<JsonNode>($"/api/runs/{runId}/metrics"))!["series"]!.AsArray();
        var accuracy = series.Single(s => s!["key"]!.GetValue<string>() == MetricKeys.ValAcc)!["points"]!.AsArray();
        Assert.Equal([1, 2, 3], accuracy.Select(p => p!["epoch"]!.GetValue<int>()));
    }

    [SlurmFact]
    public async Task ARunCancelledInTracker_CancelsItsSlurmJob()
    {
        var runId = await SubmitAsync(Config("slurm-cancel-in-tracker", epochs: 200));
        await WaitForRunAsync(runId, run => EpochsCompleted(run) >= 1);

        using var admin = _app.CreateClient();
        using (var cancel = await admin.PostAsync($"/api/runs/{runId}/cancel", null)) Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);

        var cancelled = await WaitForRunAsync(runId, run => run["finished"] is not null);
        Assert.Equal("cancelled", Status(cancelled));
        Assert.Equal("CANCELLED", (await JobStateAsync(runId)).Split(' ')[0]);
    }

    [SlurmFact]
    public async Task AJobCancelledInSlurm_EndsItsRunCancelled()
    {
        var runId = await SubmitAsync(Config("slurm-cancel-in-slurm", epochs: 200));
        await WaitForRunAsync(runId, run => EpochsCompleted(run) >= 1);

        await SlurmCluster.RunAsync("scancel", "--name", JobName(runId));

        var cancelled = await WaitForRunAsync(runId, run => run["finished"] is not null);
        Assert.Equal("cancelled", Status(cancelled));
        using var admin = _app.CreateClient();
        var events = (await admin.GetFromJsonAsync<JsonArray>($"/api/runs/{runId}/events?after=0"))!;
        Assert.Contains("cancelled there", events[^1]!.ToJsonString(), StringComparison.Ordinal);
    }
}
