using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tracker.Shared;
using Tracker.Tests.Support;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Support;
using Tracker.Web.Jobs;
using Tracker.Web.Realtime;

namespace Tracker.Web.IntegrationTests.Jobs;

/// <summary>Live events end to end: reconnecting clients, a restarted server, two app instances, a full disk.</summary>
[Collection(StopsTheDatabase.Name)]
public sealed class LiveEventsTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private readonly string _folder = Directory.CreateTempSubdirectory("tracker-live-test-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private static RunConfig Tiny(int epochs) => new()
    {
        Name = "live", Model = "mlp", Dataset = "synthetic", TrainSubset = 64, BatchSize = 32, Epochs = epochs,
        Device = DeviceKind.Cpu, MaxStepsPerEpoch = 2,
    };

    [Fact]
    public async Task AClientThatDropsItsConnection_AndOutlivesAServerRestart_GetsEveryEventExactlyOnce()
    {
        const int epochs = 150;
        (string, string)[] environment =
        [
            ("Database__SqlitePath", Path.Combine(_folder, "tracker.db")), ("Jobs__RunsDirectory", Path.Combine(_folder, "runs")),
            ("Jobs__InstanceId", "reconnect-test"), ("Jobs__HeartbeatSeconds", "0.5"), ("Jobs__LeaseSeconds", "300"), ("Jobs__PollSeconds", "0.1"),
        ];
        var received = new List<TrainingEvent>();
        var app = await RunningApp.StartAsync(["--urls", "http://127.0.0.1:0"], environment);
        try
        {
            using var http = TestAuth.Authorize(new HttpClient { BaseAddress = app.Address });
            using var submitted = await http.PostAsync("/api/runs", new StringContent(JsonSerializer.Serialize(Tiny(epochs), TrackerJson.Options), Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
            var runId = (await submitted.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<long>();

            await using (var first = await RunEventsClient.ConnectAsync(app.Address))
            {
                await first.JoinAfterAsync(runId, 0);
                await ReadUntilAsync(first, received, e => e is EpochEvent { Epoch: >= 3 });
            } // the connection drops; training goes on
            var droppedAt = received.OfType<EpochEvent>().Max(e => e.Epoch);
            await WaitForEpochAsync(http, runId, droppedAt + 3);

            await using (var second = await RunEventsClient.ConnectAsync(app.Address))
            {
                await second.JoinAfterAsync(runId, received[^1].Seq); // the reconnect recipe: rejoin after the last seq seen
                await ReadUntilAsync(second, received, e => e is EpochEvent epoch && epoch.Epoch >= droppedAt + 6);
            }
            app.Stop(); // mid-run, as a crash or a redeploy would
            Assert.True(received.OfType<EpochEvent>().Max(e => e.Epoch) < epochs, "the run finished before the restart");

            app = await RunningApp.StartAsync(["--urls", "http://127.0.0.1:0"], environment);
            using var restartedHttp = TestAuth.Authorize(new HttpClient { BaseAddress = app.Address });
            await using (var third = await RunEventsClient.ConnectAsync(app.Address))
            {
                await third.JoinAfterAsync(runId, received[^1].Seq);
                await ReadUntilAsync(third, received, e => e is RunFinishedEvent);
            }

            var seqs = received.Select(e => e.Seq).ToList();
            Assert.Equal(Enumerable.Range(1, seqs.Count).Select(i => (long)i), seqs); // every event once, in order, no gap
            var stored = (await restartedHttp.GetFromJsonAsync<JsonNode>($"/api/runs/{runId}/events"))!.AsArray();
            Assert.Equal(seqs, stored.Select(e => e!["seq"]!.GetValue<long>()));
            Assert.Equal(RunOutcome.Succeeded, Assert.IsType<RunFinishedEvent>(received[^1]).Status);
            Assert.True(received.OfType<RunStartedEvent>().Count() >= 2, "the restarted server resumed the run");
            var run = (await restartedHttp.GetFromJsonAsync<JsonNode>($"/api/runs/{runId}"))!;
            Assert.Equal(("succeeded", epochs), (run["status"]!.GetValue<string>(), run["epochsCompleted"]!.GetValue<int>()));
            var accuracy = (await restartedHttp.GetFromJsonAsync<JsonNode>($"/api/runs/{runId}/metrics?keys={MetricKeys.ValAcc}"))!;
            var accuracyEpochs = accuracy.ToJsonString();
            Assert.Equal(epochs, Enumerable.Range(1, epochs).Count(epoch => accuracyEpochs.Contains($"\"epoch\":{epoch},", StringComparison.Ordinal)));
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    [Theory, PostgresData]
    public async Task ARunTrainedByOneInstance_StreamsToTheHubClientsAndPagesOfAnother(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        TrackerAppFactory Instance(int workers, string name)
        {
            var settings = database.AppSettings;
            settings["Jobs:Workers"] = workers.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings["Jobs:InstanceId"] = name;
            settings["Jobs:RunsDirectory"] = Path.Combine(_folder, name);
            settings["Jobs:PollSeconds"] = "0.1";
            return new TrackerAppFactory(settings);
        }
        await using var trainer = Instance(workers: 1, "instance-a");
        _ = trainer.Services; // migrates the database before the second instance starts
        await using var viewer = Instance(workers: 0, "instance-b");
        var onPages = new List<long>();
        // A fresh database numbers its first run 1: listening first, nothing can come before.
        using var page = viewer.Services.GetRequiredService<RunNotifier>().Subscribe(1, e => { lock (onPages) onPages.Add(e.Seq); return Task.CompletedTask; });
        await using var client = await RunEventsClient.ConnectAsync(viewer.Server.BaseAddress, viewer.Server.HubTransport());
        await client.JoinAfterAsync(1, 0);

        var runId = (await trainer.Services.GetRequiredService<RunSubmission>().SubmitAsync(Tiny(epochs: 5))).RunId;
        var events = await client.UntilFinishedAsync(Patience);

        Assert.Equal(1, runId);
        var seqs = events.Select(e => e.Seq).ToList();
        Assert.Equal(Enumerable.Range(1, seqs.Count).Select(i => (long)i), seqs);
        Assert.Equal([1, 2, 3, 4, 5], events.OfType<EpochEvent>().Select(e => e.Epoch));
        lock (onPages) Assert.Equal(seqs, onPages);
        await using var context = database.CreateDbContext();
        var run = await context.Runs.AsNoTracking().SingleAsync(r => r.Id == 1);
        Assert.Equal((RunStatus.Succeeded, (long)seqs.Count), (run.Status, run.StoredSeq));
    }

    [TmpfsFact]
    public async Task DiskFullMidRun_TheApiAnswers507_TheRunPageShowsIt_AndTheRunGoesOnWithoutAHoleOnceThereIsSpace()
    {
        const int epochs = 80;
        var mount = Path.Combine(_folder, "small-disk");
        Directory.CreateDirectory(mount);
        Tmpfs.Mount(mount, "24m");
        try
        {
            var filler = Path.Combine(mount, "filler");
            var settings = new Dictionary<string, string?>
            {
                ["Database:SqlitePath"] = Path.Combine(mount, "tracker.db"),
                ["Jobs:RunsDirectory"] = Path.Combine(_folder, "runs"), // checkpoints elsewhere: the database is what fills up
                ["Jobs:PollSeconds"] = "0.1", ["Jobs:StoreOutageSeconds"] = "600", ["Jobs:LeaseSeconds"] = "600", ["Jobs:EventBuffer"] = "100",
            };
            await using (var host = new TrackerAppFactory(settings))
            {
                using var http = host.CreateClient();
                var contexts = host.Services.GetRequiredService<IDbContextFactory<TrackerDbContext>>();
                var runId = (await host.Services.GetRequiredService<RunSubmission>().SubmitAsync(Tiny(epochs))).RunId!.Value;
                await WaitAsync(async () => await EpochsOfAsync(contexts, runId) >= 3, "epoch 3");

                Tmpfs.Fill(filler);
                var health = host.Services.GetRequiredService<StorageHealth>();
                await WaitAsync(() => Task.FromResult(health.Problem is not null), "the storage error");

                using var refused = await http.PostAsync("/api/runs", new StringContent(JsonSerializer.Serialize(Tiny(1), TrackerJson.Options), Encoding.UTF8, "application/json"));
                var problem = await refused.Content.ReadAsStringAsync();
                Assert.Equal(HttpStatusCode.InsufficientStorage, refused.StatusCode);
                Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
                Assert.Contains("no space left", problem, StringComparison.Ordinal);
                var runPage = await http.GetStringAsync($"/runs/{runId}");
                Assert.Contains("data-testid=\"storage-error\"", runPage, StringComparison.Ordinal);
                Assert.Contains("Storage unavailable: disk full", runPage, StringComparison.Ordinal);
                Assert.Contains("will be written when space returns", runPage, StringComparison.Ordinal);
                Assert.Contains("full", health.Problem!.Message, StringComparison.OrdinalIgnoreCase);

                File.Delete(filler);
                await WaitAsync(async () => !(await RunOf(contexts, runId)).Status.IsActive(), "the run's end");
                var run = await RunOf(contexts, runId);
                Assert.Equal((RunStatus.Succeeded, epochs), (run.Status, run.EpochsCompleted));
                Assert.Null(health.Problem);
                await using var context = await contexts.CreateDbContextAsync();
                var accuracyEpochs = await context.MetricPoints.Where(p => p.RunId == runId && p.Key == MetricKeys.ValAcc).Select(p => p.Epoch).ToListAsync();
                Assert.Equal(Enumerable.Range(1, epochs), accuracyEpochs.Order());
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Tmpfs.Unmount(mount);
        }
    }

    private static async Task<Run> RunOf(IDbContextFactory<TrackerDbContext> contexts, long runId)
    {
        await using var context = await contexts.CreateDbContextAsync();
        return await context.Runs.AsNoTracking().SingleAsync(r => r.Id == runId);
    }

    private static async Task<int> EpochsOfAsync(IDbContextFactory<TrackerDbContext> contexts, long runId) => (await RunOf(contexts, runId)).EpochsCompleted;

    private static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            try
            {
                if (await condition()) return;
            }
            catch (Exception error) when (StorageErrors.IsStorageError(error))
            {
                // the disk is full: reading may fail too until it is not
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"No {what} within {Patience}.");
            await Task.Delay(50);
        }
    }

    private static async Task ReadUntilAsync(RunEventsClient client, List<TrainingEvent> received, Func<TrainingEvent, bool> until)
    {
        while (true)
        {
            var (_, _, trainingEvent) = await client.NextAsync(Patience);
            received.Add(trainingEvent);
            if (until(trainingEvent)) return;
        }
    }

    private static Task WaitForEpochAsync(HttpClient http, long runId, int epoch) => WaitAsync(async () =>
        (await http.GetFromJsonAsync<JsonNode>($"/api/runs/{runId}"))!["epochsCompleted"]!.GetValue<int>() >= epoch, $"epoch {epoch}");
}

/// <summary>A fact that needs a small tmpfs: skipped, with the reason, where this machine cannot mount one (not root, no mount rights).</summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (Tmpfs.Unavailable is { } reason) Skip = reason;
    }
}

/// <summary>A small RAM disk that a test can fill, to see what a full disk does.</summary>
public static class Tmpfs
{
    private static readonly Lazy<string?> Probe = new(() =>
    {
        if (!OperatingSystem.IsLinux()) return "A full disk is simulated with a Linux tmpfs mount.";
        var probe = Directory.CreateTempSubdirectory("tracker-tmpfs-probe-").FullName;
        try
        {
            Mount(probe, "1m");
            Unmount(probe);
            return null;
        }
        catch (Exception error)
        {
            return $"This machine cannot mount a tmpfs to fill ({error.Message}).";
        }
        finally
        {
            Directory.Delete(probe);
        }
    });

    /// <summary>Why a tmpfs cannot be mounted here; null when it can.</summary>
    public static string? Unavailable => Probe.Value;

    public static void Mount(string path, string size) => Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", path);

    public static void Unmount(string path) => Run("umount", "-l", path);

    /// <summary>Writes to <paramref name="path"/> until the disk is full.</summary>
    public static void Fill(string path)
    {
        var block = new byte[64 * 1024];
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None);
        try
        {
            while (true) file.Write(block);
        }
        catch (IOException)
        {
            // ENOSPC: full
        }
    }

    private static void Run(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{command} {string.Join(' ', arguments)}: {error.Trim()}");
    }
}
