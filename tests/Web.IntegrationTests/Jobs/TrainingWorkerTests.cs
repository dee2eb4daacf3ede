using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tracker.Shared;
using Tracker.Tests.Support;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Support;
using Tracker.Web.Jobs;
using Tracker.Web.Realtime;

namespace Tracker.Web.IntegrationTests.Jobs;

public sealed class TrainingWorkerTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly string _runsDirectory = Directory.CreateTempSubdirectory("tracker-runs-test-").FullName;

    public void Dispose() => Directory.Delete(_runsDirectory, recursive: true);

    private static RunConfig Tiny(int epochs) => new()
    {
        Name = "tiny", Model = "mlp", Dataset = "synthetic", TrainSubset = 64, BatchSize = 32, Epochs = epochs,
        Device = DeviceKind.Cpu, MaxStepsPerEpoch = 2,
    };

    private TrackerAppFactory Host(TestDatabase database)
    {
        var settings = database.AppSettings;
        settings["Jobs:RunsDirectory"] = _runsDirectory;
        settings["Training:DatasetRoots:0"] = _runsDirectory; // RunThatCannotTrain reads a dataset path from here
        settings["Jobs:HeartbeatSeconds"] = "0.2";
        settings["Jobs:LeaseSeconds"] = "5";
        settings["Jobs:PollSeconds"] = "0.1";
        return new TrackerAppFactory(settings);
    }

    private static async Task<long> SubmitAsync(WebApplicationFactory<Program> host, RunConfig config)
    {
        var result = await host.Services.GetRequiredService<RunQueue>().SubmitAsync(config);
        Assert.Empty(result.Errors);
        return result.RunId!.Value;
    }

    private static async Task<Run> WaitForRunAsync(TestDatabase database, long runId, Func<Run, bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            await using (var context = database.CreateDbContext())
            {
                var run = await context.Runs.AsNoTracking().SingleAsync(r => r.Id == runId);
                if (condition(run)) return run;
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"Run {runId} is still {run.Status} after {Patience}.");
            }
            await Task.Delay(50);
        }
    }

    private static bool Finished(Run run) => run.Status is not (RunStatus.Queued or RunStatus.Running);

    [Theory, SqliteData, PostgresData]
    public async Task TinyRun_TrainsToSuccess_WithEveryEpochStored(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = Host(database);

        var runId = await SubmitAsync(host, Tiny(epochs: 3));
        var run = await WaitForRunAsync(database, runId, Finished);

        Assert.Equal((RunStatus.Succeeded, 3, 1.0, null), (run.Status, run.EpochsCompleted, run.Progress, run.Error));
        Assert.NotNull(run.StartedAt);
        Assert.True(run.FinishedAt >= run.StartedAt);
        await using var context = database.CreateDbContext();
        var accuracy = await context.MetricPoints.Where(p => p.RunId == runId && p.Key == MetricKeys.ValAcc).OrderBy(p => p.Step).ToListAsync();
        Assert.Equal([1, 2, 3], accuracy.Select(p => p.Epoch));
        Assert.Equal([2L, 4L, 6L], accuracy.Select(p => p.Step));
        var summary = await context.RunSummaries.SingleAsync(s => s.RunId == runId && s.Key == MetricKeys.ValAcc);
        Assert.Equal((3L, 6L, accuracy[^1].Value), (summary.Count, summary.LastStep, summary.Last));
        Assert.Equal((accuracy.Min(p => p.Value), accuracy.Max(p => p.Value)), (summary.Min, summary.Max));
        Assert.Equal(JobState.Finished, (await context.Jobs.SingleAsync(j => j.RunId == runId)).State);
    }

    [Fact]
    public async Task SignalRClient_ReceivesTheRunsEpochEvents()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var host = Host(database);
        var socket = await TrackerAppFactory.AuthorizedWebSocketClient(host.Server).ConnectAsync(new Uri("ws://localhost" + RunsHubRoutes.Path), CancellationToken.None);
        await using var client = await SignalRJsonClient.ConnectAsync(socket);
        // A fresh database numbers its first run 1; joining first means no event can come before the client listens.
        await client.InvokeAsync("JoinRun", "1");

        var runId = await SubmitAsync(host, Tiny(epochs: 3));

        Assert.Equal(1, runId);
        var epochs = new List<int>();
        while (true)
        {
            var (target, arguments) = await client.NextInvocationAsync(Patience);
            Assert.Equal("1", arguments[0].GetString());
            if (target == nameof(IRunsClient.EpochCompleted)) epochs.Add(arguments[1].GetProperty("epoch").GetInt32());
            if (target == nameof(IRunsClient.RunFinished)) break;
        }
        Assert.Equal([1, 2, 3], epochs);
    }

    [Theory, SqliteData, PostgresData]
    public async Task CancelledRunningRun_StopsAndIsMarkedCancelled(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = Host(database);
        var runId = await SubmitAsync(host, Tiny(epochs: 10_000));
        await WaitForRunAsync(database, runId, run => run.EpochsCompleted >= 1);

        Assert.Equal(CancelResult.CancelRequested, await host.Services.GetRequiredService<RunQueue>().CancelAsync(runId));
        var run = await WaitForRunAsync(database, runId, run => run.FinishedAt is not null);

        Assert.Equal(RunStatus.Cancelled, run.Status);
        Assert.InRange(run.EpochsCompleted, 1, 9_999);
        await using var context = database.CreateDbContext();
        Assert.Equal(JobState.Finished, (await context.Jobs.SingleAsync(j => j.RunId == runId)).State);
        var stored = await context.MetricPoints.CountAsync(p => p.RunId == runId);
        await Task.Delay(500);
        Assert.Equal(stored, await context.MetricPoints.CountAsync(p => p.RunId == runId)); // nothing trains any more
    }

    [Theory, SqliteData, PostgresData]
    public async Task HostStoppedMidRun_ResumesOnTheNextStart_WithEveryEpochStoredOnce(DatabaseProvider provider)
    {
        const int epochs = 40;
        await using var database = await TestDatabase.CreateAsync(provider);
        long runId;
        await using (var first = Host(database))
        {
            var checkpointed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var notifier = first.Services.GetRequiredService<RunNotifier>();
            // First run of a fresh database; subscribing before submitting misses nothing.
            using var subscription = notifier.Subscribe("1", e =>
            {
                if (e is CheckpointEvent { Epoch: >= 2 }) checkpointed.TrySetResult();
                return Task.CompletedTask;
            });
            runId = await SubmitAsync(first, Tiny(epochs));
            Assert.Equal(1, runId);
            await checkpointed.Task.WaitAsync(Patience);
        }

        await using (var context = database.CreateDbContext())
        {
            var stopped = await context.Jobs.Include(j => j.Run).SingleAsync();
            Assert.Equal(RunStatus.Queued, stopped.Run!.Status); // given back, not failed
            Assert.InRange(stopped.Run.EpochsCompleted, 2, epochs - 1);
        }

        await using var second = Host(database);
        _ = second.Services; // starts the host and its worker
        var run = await WaitForRunAsync(database, runId, Finished);

        Assert.Equal((RunStatus.Succeeded, epochs), (run.Status, run.EpochsCompleted));
        await using var check = database.CreateDbContext();
        Assert.Equal(2, (await check.Jobs.SingleAsync()).Attempts);
        var accuracyEpochs = await check.MetricPoints.Where(p => p.RunId == runId && p.Key == MetricKeys.ValAcc).Select(p => p.Epoch).ToListAsync();
        Assert.Equal(Enumerable.Range(1, epochs), accuracyEpochs.Order());
        var summary = await check.RunSummaries.SingleAsync(s => s.RunId == runId && s.Key == MetricKeys.ValAcc);
        Assert.Equal((epochs, 2L * epochs), (summary.Count, summary.LastStep));
    }
    [Fact]
    public async Task RunThatCannotTrain_IsMarkedFailed_WithTheError()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var host = Host(database);
        var missing = Path.Combine(_runsDirectory, "no-such-dataset.npz");

        var runId = await SubmitAsync(host, Tiny(epochs: 2) with { Dataset = KnownDatasets.Npz, DatasetPath = missing });
        var run = await WaitForRunAsync(database, runId, Finished);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Contains("no-such-dataset.npz", run.Error, StringComparison.Ordinal);
        Assert.NotNull(run.FinishedAt);
    }

    [Fact]
    public async Task LeaseOfAWorkerThatDied_IsRequeuedAtStart_AndTheRunResumesFromItsCheckpoint()
    {
        const int epochs = 30;
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        long runId;
        await using (var first = Host(database))
        {
            var checkpointed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var subscription = first.Services.GetRequiredService<RunNotifier>().Subscribe("1", e =>
            {
                if (e is CheckpointEvent { Epoch: >= 2 }) checkpointed.TrySetResult();
                return Task.CompletedTask;
            });
            runId = await SubmitAsync(first, Tiny(epochs));
            await checkpointed.Task.WaitAsync(Patience);
        }
        // As a process killed mid-run leaves it: still leased, by a worker that no longer heartbeats.
        await using (var context = database.CreateDbContext())
        {
            await context.Jobs.ExecuteUpdateAsync(s => s.SetProperty(j => j.State, JobState.Leased)
                .SetProperty(j => j.LeaseOwner, "dead-worker").SetProperty(j => j.LeaseExpiresAt, DateTime.UtcNow.AddSeconds(-1)));
            await context.Runs.ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Running));
        }

        await using var second = Host(database);
        _ = second.Services;
        var run = await WaitForRunAsync(database, runId, Finished);

        Assert.Equal((RunStatus.Succeeded, epochs), (run.Status, run.EpochsCompleted));
        await using var check = database.CreateDbContext();
        var accuracyEpochs = await check.MetricPoints.Where(p => p.RunId == runId && p.Key == MetricKeys.ValAcc).Select(p => p.Epoch).ToListAsync();
        Assert.Equal(Enumerable.Range(1, epochs), accuracyEpochs.Order());
    }
}
