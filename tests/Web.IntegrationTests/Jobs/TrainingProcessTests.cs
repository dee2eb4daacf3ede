using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tracker.Shared;
using Tracker.Tests.Support;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Support;
using Tracker.Web.Jobs;

namespace Tracker.Web.IntegrationTests.Jobs;

/// <summary>Each run trains in a child process (tracker-train); what happens to the app and the queue when that process dies or hangs.</summary>
[Collection(StopsTheDatabase.Name)]
public sealed class TrainingProcessTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);
    private readonly string _runsDirectory = Directory.CreateTempSubdirectory("tracker-process-test-").FullName;

    public void Dispose() => Directory.Delete(_runsDirectory, recursive: true);

    private static RunConfig Tiny(int epochs) => new()
    {
        Name = "tiny", Model = "mlp", Dataset = "synthetic", TrainSubset = 64, BatchSize = 32, Epochs = epochs,
        Device = DeviceKind.Cpu, MaxStepsPerEpoch = 2,
    };

    private TrackerAppFactory Host(TestDatabase database, params (string Key, string Value)[] extra)
    {
        var settings = database.AppSettings;
        settings["Jobs:RunsDirectory"] = _runsDirectory;
        settings["Jobs:HeartbeatSeconds"] = "0.2";
        settings["Jobs:LeaseSeconds"] = "5";
        settings["Jobs:PollSeconds"] = "0.1";
        foreach (var (key, value) in extra) settings[key] = value;
        return new TrackerAppFactory(settings);
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
        await using var host = Host(database, ("Jobs:CrashRetries", "0"));
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
        await using var host = Host(database, ("Jobs:CrashRetries", "1"));
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
        await using var host = Host(database, ("Jobs:CancelGraceSeconds", "1"));
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
