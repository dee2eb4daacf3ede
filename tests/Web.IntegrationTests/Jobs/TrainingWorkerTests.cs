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

[Collection(StopsTheDatabase.Name)]
public sealed class TrainingWorkerTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);
    private readonly string _runsDirectory = Directory.CreateTempSubdirectory("tracker-runs-test-").FullName;

    public void Dispose() => Directory.Delete(_runsDirectory, recursive: true);

    private static RunConfig Tiny(int epochs) => new()
    {
        Name = "tiny", Model = "mlp", Dataset = "synthetic", TrainSubset = 64, BatchSize = 32, Epochs = epochs,
        Device = DeviceKind.Cpu, MaxStepsPerEpoch = 2,
    };

    private TrackerAppFactory Host(TestDatabase database, Action<IServiceCollection>? services = null, params (string Key, string Value)[] extra)
    {
        var settings = database.AppSettings;
        settings["Jobs:RunsDirectory"] = _runsDirectory;
        settings["Training:DatasetRoots:0"] = _runsDirectory; // RunThatCannotTrain reads a dataset path from here
        settings["Jobs:HeartbeatSeconds"] = "0.2";
        settings["Jobs:LeaseSeconds"] = "5";
        settings["Jobs:PollSeconds"] = "0.1";
        foreach (var (key, value) in extra) settings[key] = value;
        return new TrackerAppFactory(settings, services);
    }

    private static async Task<long> SubmitAsync(WebApplicationFactory<Program> host, RunConfig config)
    {
        var result = await host.Services.GetRequiredService<RunSubmission>().SubmitAsync(config);
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

    private static bool Finished(Run run) => !run.Status.IsActive();

    [Theory, SqliteData]
    public async Task TheRunsStepEventInterval_ReachesTheTrainingProcess_ThroughTheQueue(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = Host(database);

        // Eight steps an epoch cut at six; every 3 steps a step event (the default, 5, would give 5 and 6).
        var runId = await SubmitAsync(host, Tiny(epochs: 1) with { TrainSubset = 256, MaxStepsPerEpoch = 6, StepEventEvery = 3 });
        var run = await WaitForRunAsync(database, runId, Finished);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        await using var context = database.CreateDbContext();
        var lossSteps = await context.MetricPoints.Where(p => p.RunId == runId && p.Key == MetricKeys.TrainLoss).OrderBy(p => p.Step).Select(p => p.Step).ToListAsync();
        Assert.Equal([3L, 6L], lossSteps); // 6 is also the epoch's end
    }

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
    public async Task SignalRClient_ReceivesEveryEventOfTheRun_NumberedFromOne()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var host = Host(database);
        await using var client = await RunEventsClient.ConnectAsync(host.Server.BaseAddress, host.Server.HubTransport());
        // A fresh database numbers its first run 1; joining first means no event can come before the client listens.
        await client.JoinAsync(1);

        var runId = await SubmitAsync(host, Tiny(epochs: 3));

        Assert.Equal(1, runId);
        var events = await client.UntilFinishedAsync(Patience);
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Seq));
        Assert.Equal([1, 2, 3], events.OfType<EpochEvent>().Select(e => e.Epoch));
        await using var context = database.CreateDbContext();
        Assert.Equal(events.Count, (await context.Runs.SingleAsync(r => r.Id == runId)).StoredSeq);
    }

    [Fact]
    public async Task TheFinishedEvent_IsAnnouncedOnlyAfterTheRunsEndIsRecorded()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var host = Host(database);
        var seen = new TaskCompletionSource<(RunStatus Status, DateTime? Finished, long StoredSeq, long FinishedSeq)>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = host.Services.GetRequiredService<RunNotifier>().Subscribe(1, async e =>
        {
            if (e is not RunFinishedEvent finished) return;
            await using var context = database.CreateDbContext();
            var run = await context.Runs.AsNoTracking().SingleAsync(r => r.Id == 1);
            seen.TrySetResult((run.Status, run.FinishedAt, run.StoredSeq, finished.Seq));
        });

        await SubmitAsync(host, Tiny(epochs: 2));
        var (status, finishedAt, storedSeq, finishedSeq) = await seen.Task.WaitAsync(Patience);

        Assert.Equal(RunStatus.Succeeded, status);
        Assert.NotNull(finishedAt);
        Assert.Equal(finishedSeq, storedSeq); // the finished event is the last stored, and stored before it is announced
    }

    [Theory, SqliteData, PostgresData]
    public async Task CancelledRunningRun_StopsAndIsMarkedCancelled(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = Host(database);
        var runId = await SubmitAsync(host, Tiny(epochs: 10_000));
        await WaitForRunAsync(database, runId, run => run.EpochsCompleted >= 1);

        Assert.Equal(CancelResult.CancelRequested, await host.Services.GetRequiredService<JobLeases>().CancelAsync(runId));
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
            using var subscription = notifier.Subscribe(1, e =>
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
            using var subscription = first.Services.GetRequiredService<RunNotifier>().Subscribe(1, e =>
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

    [Theory, SqliteData, PostgresData]
    public async Task DatabaseDownForTenSecondsMidRun_TheRunWaits_AndSucceedsWithEveryEpochStoredOnce(DatabaseProvider provider)
    {
        const int epochs = 60;
        await using var database = await TestDatabase.CreateAsync(provider);
        var outage = new StoreOutage();
        await using var host = Host(database, services => services.AddSingleton(outage.Interceptor),
            ("Jobs:LeaseSeconds", "60"), ("Jobs:StoreOutageSeconds", "120"), ("Jobs:EventBuffer", "100"));
        var runId = await SubmitAsync(host, Tiny(epochs));
        await WaitForRunAsync(database, runId, run => run.EpochsCompleted >= 3);

        await outage.StopAsync(provider);
        await Task.Delay(TimeSpan.FromSeconds(10));
        await outage.StartAsync(provider);
        var run = await WaitForRunAsync(database, runId, Finished);

        Assert.Equal((RunStatus.Succeeded, epochs, null), (run.Status, run.EpochsCompleted, run.Error));
        await AssertEveryEpochStoredOnceAsync(database, runId, epochs);
    }

    [Theory, SqliteData, PostgresData]
    public async Task DatabaseDownPastTheLimit_PausesTheRunWithTheReason_ThenItResumesWithoutAHole(DatabaseProvider provider)
    {
        const int epochs = 60;
        await using var database = await TestDatabase.CreateAsync(provider);
        var outage = new StoreOutage();
        await using var host = Host(database, services => services.AddSingleton(outage.Interceptor),
            ("Jobs:LeaseSeconds", "60"), ("Jobs:StoreOutageSeconds", "2"), ("Jobs:EventBuffer", "100"));
        var runId = await SubmitAsync(host, Tiny(epochs));
        await WaitForRunAsync(database, runId, run => run.EpochsCompleted >= 3);

        await outage.StopAsync(provider);
        await Task.Delay(TimeSpan.FromSeconds(6)); // three times the limit
        var duringOutage = host.Services.GetRequiredService<StorageHealth>().Problem;
        await outage.StartAsync(provider);
        // The worker gives the run back as soon as the database takes the write: paused, with the reason, not finished.
        var paused = await WaitForRunAsync(database, runId, r => r.Error is not null || !r.Status.IsActive());

        Assert.NotNull(duringOutage);
        Assert.NotEqual(RunStatus.Succeeded, paused.Status);
        Assert.StartsWith("Paused: The database did not store the run's events for", paused.Error, StringComparison.Ordinal);
        var run = await WaitForRunAsync(database, runId, Finished);
        Assert.Equal((RunStatus.Succeeded, epochs, null), (run.Status, run.EpochsCompleted, run.Error));
        await AssertEveryEpochStoredOnceAsync(database, runId, epochs);
        await using var context = database.CreateDbContext();
        Assert.True((await context.Jobs.SingleAsync(j => j.RunId == runId)).Attempts >= 2); // it was requeued and resumed
    }

    [Fact]
    public async Task AtStart_LeasesOfThisInstancesDeadProcess_AreRequeuedAtOnce_AndOtherInstancesLeasesWait()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await database.MigrateAsync();
        var queue = TestQueue.Over(database);
        var ours = (await queue.Submission.SubmitAsync(Tiny(epochs: 1))).RunId!.Value;
        var theirs = (await queue.Submission.SubmitAsync(Tiny(epochs: 1))).RunId!.Value;
        // Our pid with another start time: a process of ours that is gone. The other instance's lease is live for an hour.
        var deadOwner = $"lab-a/{Environment.ProcessId}@1/1";
        const string otherOwner = "lab-b/4242@1/1";
        await using (var context = database.CreateDbContext())
        {
            foreach (var (runId, owner) in new[] { (ours, deadOwner), (theirs, otherOwner) })
            {
                await context.Jobs.Where(j => j.RunId == runId).ExecuteUpdateAsync(s => s.SetProperty(j => j.State, JobState.Leased)
                    .SetProperty(j => j.LeaseOwner, owner).SetProperty(j => j.LeaseExpiresAt, DateTime.UtcNow.AddHours(1)));
                await context.Runs.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Running));
            }
        }

        await using var host = Host(database, services: null, ("Jobs:InstanceId", "lab-a"));
        _ = host.Services;
        var run = await WaitForRunAsync(database, ours, Finished);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        await using var check = database.CreateDbContext();
        var other = await check.Jobs.Include(j => j.Run).SingleAsync(j => j.RunId == theirs);
        Assert.Equal((JobState.Leased, otherOwner, RunStatus.Running), (other.State, other.LeaseOwner, other.Run!.Status));
    }

    private static async Task AssertEveryEpochStoredOnceAsync(TestDatabase database, long runId, int epochs)
    {
        await using var context = database.CreateDbContext();
        var accuracyEpochs = await context.MetricPoints.Where(p => p.RunId == runId && p.Key == MetricKeys.ValAcc).Select(p => p.Epoch).ToListAsync();
        Assert.Equal(Enumerable.Range(1, epochs), accuracyEpochs.Order());
        var summary = await context.RunSummaries.SingleAsync(s => s.RunId == runId && s.Key == MetricKeys.ValAcc);
        Assert.Equal(epochs, summary.Count);
        var run = await context.Runs.SingleAsync(r => r.Id == runId);
        var seqs = await context.RunEvents.Where(e => e.RunId == runId).OrderBy(e => e.Seq).Select(e => e.Seq).ToListAsync();
        Assert.Equal(Enumerable.Range(1, (int)run.StoredSeq).Select(i => (long)i), seqs); // a gapless log up to the acknowledged sequence
    }

    // ---- each run in a child process (tracker-train): when that process dies or hangs ----

    /// <summary>The pid of the tracker-train process training <paramref name="runId"/>, read from /proc as an operator would find it.</summary>
    private static async Task<int> TrainingProcessOfAsync(long runId)
    {
        var deadline = DateTime.UtcNow + Patience;
        var wanted = $"\0--run-id\0{runId}\0";
        while (DateTime.UtcNow < deadline)
        {
            foreach (var folder in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(folder), out var pid)) continue;
                string commandLine;
                try
                {
                    commandLine = "\0" + await File.ReadAllTextAsync(Path.Combine(folder, "cmdline"));
                }
                catch (IOException)
                {
                    continue;
                }
                catch (UnauthorizedAccessException)
                {
                    continue;
                }
                if (commandLine.Contains("tracker-train.dll\0train\0") && commandLine.Contains(wanted)) return pid;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"No tracker-train process for run {runId}.");
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = System.Diagnostics.Process.Start("kill", [$"-{signal}", pid.ToString()]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    [Fact]
    public async Task KillingTheTrainingProcess_FailsThatRunWithTheReason_WhileTheAppServes_AndTheNextRunTrains()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var host = Host(database, null, ("Jobs:CrashRetries", "0"));
        using var http = host.CreateClient();
        var runId = await SubmitAsync(host, Tiny(epochs: 10_000));
        await WaitForRunAsync(database, runId, run => run.EpochsCompleted >= 1);

        Signal(await TrainingProcessOfAsync(runId), "KILL");
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        var killed = await WaitForRunAsync(database, runId, run => run.FinishedAt is not null);

        Assert.Equal(RunStatus.Failed, killed.Status);
        Assert.Contains("SIGKILL", killed.Error);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        var next = await WaitForRunAsync(database, await SubmitAsync(host, Tiny(epochs: 2)), run => run.FinishedAt is not null);
        Assert.Equal((RunStatus.Succeeded, 2), (next.Status, next.EpochsCompleted));
    }

    [Fact]
    public async Task ACrashedRun_IsRetriedFromItsCheckpoint_AndFinishesWithEveryEpochOnce()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var host = Host(database, null, ("Jobs:CrashRetries", "1"));
        var runId = await SubmitAsync(host, Tiny(epochs: 200));
        await WaitForRunAsync(database, runId, run => run.EpochsCompleted >= 2);

        Signal(await TrainingProcessOfAsync(runId), "KILL");
        var run = await WaitForRunAsync(database, runId, run => run.FinishedAt is not null);

        Assert.Equal((RunStatus.Succeeded, 200, null), (run.Status, run.EpochsCompleted, run.Error));
        await using var context = database.CreateDbContext();
        Assert.Equal(2, (await context.Jobs.SingleAsync(j => j.RunId == runId)).Attempts);
        var epochs = await context.MetricPoints.Where(p => p.RunId == runId && p.Key == MetricKeys.ValAcc).Select(p => p.Epoch).ToListAsync();
        Assert.Equal(Enumerable.Range(1, 200), epochs.Order());
    }

    [Fact]
    public async Task AHungTrainingProcess_IsKilledAfterTheGracePeriod_AndTheRunEndsCancelled()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var host = Host(database, null, ("Jobs:CancelGraceSeconds", "1"));
        var runId = await SubmitAsync(host, Tiny(epochs: 10_000));
        await WaitForRunAsync(database, runId, run => run.EpochsCompleted >= 1);
        var pid = await TrainingProcessOfAsync(runId);

        Signal(pid, "STOP"); // hangs as a stuck native call would: it cannot see the request to stop
        Assert.Equal(CancelResult.CancelRequested, await host.Services.GetRequiredService<JobLeases>().CancelAsync(runId));
        var run = await WaitForRunAsync(database, runId, run => run.FinishedAt is not null);

        Assert.Equal(RunStatus.Cancelled, run.Status);
        Assert.False(Directory.Exists($"/proc/{pid}"), "the hung process is gone");
    }
}
