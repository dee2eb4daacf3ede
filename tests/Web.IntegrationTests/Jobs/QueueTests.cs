using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Support;
using Tracker.Web.Jobs;

namespace Tracker.Web.IntegrationTests.Jobs;

public class QueueTests
{
    private static TestQueue Queue(TestDatabase database) => TestQueue.Over(database);

    private static RunConfig Config(string name) => new() { Name = name, Model = "mlp", Dataset = "synthetic", Device = DeviceKind.Cpu };

    private static async Task<long> SubmitAsync(TestQueue queue, string name, int priority = 0)
    {
        var result = await queue.Submission.SubmitAsync(Config(name), priority);
        Assert.Empty(result.Errors);
        return result.RunId!.Value;
    }

    [Theory, SqliteData, PostgresData]
    public async Task Claims_TakeHigherPriorityFirst_ThenTheOldest(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var queue = Queue(database);
        var lowFirst = await SubmitAsync(queue, "low-1");
        var highFirst = await SubmitAsync(queue, "high-1", priority: 5);
        var lowSecond = await SubmitAsync(queue, "low-2");
        var highSecond = await SubmitAsync(queue, "high-2", priority: 5);

        var claimed = new List<long>();
        while (await queue.Leases.ClaimNextAsync("worker") is { } job) claimed.Add(job.RunId);

        Assert.Equal([highFirst, highSecond, lowFirst, lowSecond], claimed);
    }

    [Theory, SqliteData, PostgresData]
    public async Task MovedToTheTop_AQueuedRunIsClaimedFirst(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var queue = Queue(database);
        await SubmitAsync(queue, "first");
        var second = await SubmitAsync(queue, "second");

        Assert.True(await queue.Order.MoveAsync(second, QueueMove.Top));

        Assert.Equal(second, (await queue.Leases.ClaimNextAsync("worker"))!.RunId);
        Assert.False(await queue.Order.MoveAsync(second, QueueMove.Down)); // no longer queued
    }

    [Theory, SqliteData, PostgresData]
    public async Task ConcurrentClaimers_NeverGetTheSameJob(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var queue = Queue(database);
        var submitted = new List<long>();
        for (var i = 0; i < 12; i++) submitted.Add(await SubmitAsync(queue, $"run-{i}"));

        var claims = await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            var mine = new List<long>();
            while (await queue.Leases.ClaimNextAsync($"worker-{worker}") is { } job) mine.Add(job.RunId);
            return mine;
        })));

        var all = claims.SelectMany(c => c).ToList();
        Assert.Equal(submitted.Order(), all.Order());
        await using var context = database.CreateDbContext();
        Assert.All(await context.Jobs.ToListAsync(), job => Assert.Equal((JobState.Leased, 1), (job.State, job.Attempts)));
    }

    [Theory, SqliteData, PostgresData]
    public async Task Claim_LeasesTheJob_AndMarksTheRunRunning(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var queue = Queue(database);
        var runId = await SubmitAsync(queue, "run");

        var claimed = await queue.Leases.ClaimNextAsync("worker-a");

        Assert.Equal((runId, 1, "run"), (claimed!.RunId, claimed.Attempts, claimed.Config.Name));
        await using var context = database.CreateDbContext();
        var job = await context.Jobs.Include(j => j.Run).SingleAsync();
        Assert.Equal((JobState.Leased, "worker-a", RunStatus.Running), (job.State, job.LeaseOwner, job.Run!.Status));
        Assert.True(job.LeaseExpiresAt > DateTime.UtcNow);
        Assert.NotNull(job.Run.StartedAt);
    }

    [Theory, SqliteData, PostgresData]
    public async Task InvalidConfig_IsRejectedWithFieldErrors_AndNothingIsStored(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();

        var result = await Queue(database).Submission.SubmitAsync(Config("bad") with { Epochs = 0, BatchSize = -1 });

        Assert.Null(result.RunId);
        Assert.Contains(result.Errors, e => e.Field == "epochs");
        Assert.Contains(result.Errors, e => e.Field == "batchSize");
        await using var context = database.CreateDbContext();
        Assert.Equal((0, 0, 0), (await context.Runs.CountAsync(), await context.Jobs.CountAsync(), await context.Projects.CountAsync()));
    }

    [Theory, SqliteData, PostgresData]
    public async Task CancelledQueuedRun_LeavesTheQueue(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var queue = Queue(database);
        var runId = await SubmitAsync(queue, "run");

        Assert.Equal(CancelResult.Cancelled, await queue.Leases.CancelAsync(runId));

        Assert.Null(await queue.Leases.ClaimNextAsync("worker"));
        await using var context = database.CreateDbContext();
        var run = await context.Runs.SingleAsync();
        Assert.Equal(RunStatus.Cancelled, run.Status);
        Assert.NotNull(run.FinishedAt);
        Assert.Equal(CancelResult.AlreadyFinished, await queue.Leases.CancelAsync(runId));
    }

    [Theory, SqliteData, PostgresData]
    public async Task CancelledRunningRun_IsToldToStopAtItsNextHeartbeat(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var queue = Queue(database);
        var runId = await SubmitAsync(queue, "run");
        await queue.Leases.ClaimNextAsync("worker");
        Assert.Equal(HeartbeatResult.Continue, await queue.Leases.HeartbeatAsync(runId, "worker"));

        Assert.Equal(CancelResult.CancelRequested, await queue.Leases.CancelAsync(runId));

        Assert.Equal(HeartbeatResult.CancelRequested, await queue.Leases.HeartbeatAsync(runId, "worker"));
        Assert.Equal(HeartbeatResult.LeaseLost, await queue.Leases.HeartbeatAsync(runId, "another-worker"));
    }

    [Theory, SqliteData, PostgresData]
    public async Task ExpiredLease_IsRequeued_AndClaimedAgain(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var queue = Queue(database);
        var runId = await SubmitAsync(queue, "run");
        var other = await SubmitAsync(queue, "other");
        await queue.Leases.ClaimNextAsync("crashed-worker");
        await queue.Leases.ClaimNextAsync("live-worker");
        await using (var context = database.CreateDbContext())
            await context.Jobs.Where(j => j.RunId == runId).ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseExpiresAt, DateTime.UtcNow.AddSeconds(-1)));

        Assert.Equal(1, await queue.Leases.RequeueExpiredLeasesAsync());

        await using (var context = database.CreateDbContext())
        {
            var runs = await context.Runs.ToDictionaryAsync(r => r.Id, r => r.Status);
            Assert.Equal(RunStatus.Queued, runs[runId]);
            Assert.Equal(RunStatus.Running, runs[other]);
        }
        Assert.Equal(HeartbeatResult.LeaseLost, await queue.Leases.HeartbeatAsync(runId, "crashed-worker"));
        var reclaimed = await queue.Leases.ClaimNextAsync("new-worker");
        Assert.Equal((runId, 2), (reclaimed!.RunId, reclaimed.Attempts));
    }

    [Theory, SqliteData, PostgresData]
    public async Task Retry_QueuesTheConfigAgain_OnlyForRunsThatDidNotSucceed(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var queue = Queue(database);
        var runId = await SubmitAsync(queue, "run", priority: 3);
        Assert.False((await queue.Submission.RetryAsync(runId)).Succeeded); // still queued

        await queue.Leases.ClaimNextAsync("worker");
        await queue.Leases.CompleteAsync(runId, "worker", new RunFinishedEvent { Status = RunOutcome.Failed, Summary = new RunOutcomeSummary { Error = "boom" } });
        var retried = await queue.Submission.RetryAsync(runId);

        Assert.True(retried.Succeeded);
        await using var context = database.CreateDbContext();
        var failed = await context.Runs.SingleAsync(r => r.Id == runId);
        Assert.Equal((RunStatus.Failed, "boom"), (failed.Status, failed.Error));
        var again = await context.Runs.SingleAsync(r => r.Id == retried.RunId);
        Assert.Equal((RunStatus.Queued, "run"), (again.Status, again.Name));
        Assert.Equal(3, (await context.Jobs.SingleAsync(j => j.RunId == retried.RunId)).Priority);
    }

    [Theory, SqliteData, PostgresData]
    public async Task Clone_QueuesTheEditedConfig(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var queue = Queue(database);
        var runId = await SubmitAsync(queue, "run");

        var clone = await queue.Submission.CloneAsync(runId, config => config with { Name = "run-lr", Lr = 0.5 });
        var invalid = await queue.Submission.CloneAsync(runId, config => config with { Lr = -1 });

        Assert.Contains(invalid.Errors, e => e.Field == "lr");
        await using var context = database.CreateDbContext();
        var cloned = await context.Runs.SingleAsync(r => r.Id == clone.RunId);
        Assert.Equal(("run-lr", 0.5, RunStatus.Queued), (cloned.Name, cloned.Config.Lr, cloned.Status));
        Assert.Equal(2, await context.Runs.CountAsync());
    }

    [Theory, SqliteData, PostgresData]
    public async Task Sweep_QueuesEveryConfigUnderOneSweepId_AcrossProjects(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var queue = Queue(database);

        var sweep = await queue.Submission.SubmitSweepAsync([Config("a"), Config("b") with { Project = "other" }, Config("c")]);

        Assert.True(sweep.Succeeded);
        await using var context = database.CreateDbContext();
        var runs = await context.Runs.Include(r => r.Project).OrderBy(r => r.Id).ToListAsync();
        Assert.Equal(sweep.RunIds, runs.Select(r => r.Id));
        Assert.All(runs, r => Assert.Equal(sweep.SweepId, r.SweepId));
        Assert.Equal(["default", "other", "default"], runs.Select(r => r.Project!.Name));
        Assert.Equal(2, await context.Projects.CountAsync());
        Assert.Equal(3, await context.Jobs.CountAsync(j => j.State == JobState.Queued));
    }

    [Theory, SqliteData, PostgresData]
    public async Task SweepWithOneInvalidConfig_StoresNothing_AndNamesTheConfig(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var queue = Queue(database);

        var sweep = await queue.Submission.SubmitSweepAsync([Config("a"), Config("b") with { Epochs = 0 }]);

        Assert.False(sweep.Succeeded);
        Assert.Equal((1, "epochs"), (sweep.Errors.Single().Index, sweep.Errors.Single().Error.Field));
        await using var context = database.CreateDbContext();
        Assert.Equal(0, await context.Runs.CountAsync());
    }

    [Fact]
    public async Task SingleRun_HasNoSweepId()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await database.MigrateAsync();
        var runId = await SubmitAsync(Queue(database), "alone");

        await using var context = database.CreateDbContext();
        Assert.Null((await context.Runs.SingleAsync(r => r.Id == runId)).SweepId);
    }

    [Theory, SqliteData, PostgresData]
    public async Task List_ShowsRunningFirst_ThenQueuedInClaimOrder_AndNoFinishedJobs(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var queue = Queue(database);
        var running = await SubmitAsync(queue, "running", priority: -1);
        var low = await SubmitAsync(queue, "low");
        var high = await SubmitAsync(queue, "high", priority: 3);
        var cancelled = await SubmitAsync(queue, "cancelled");
        Assert.True(await queue.Order.MoveAsync(running, QueueMove.Top));
        Assert.Equal(running, (await queue.Leases.ClaimNextAsync("worker"))!.RunId);
        await queue.Leases.CancelAsync(cancelled);

        var entries = await queue.Order.ListAsync();

        Assert.Equal([running, high, low], entries.Select(e => e.RunId));
        Assert.Equal([true, false, false], entries.Select(e => e.Running));
        Assert.Equal(("worker", RunStatus.Running), (entries[0].LeaseOwner, entries[0].Status));
        Assert.Equal(["the server's own worker", null, null], entries.Select(e => e.WorkerName));
    }

    [Theory, SqliteData, PostgresData]
    public async Task Move_ReordersTheQueuedJobs_AndClaimsFollowTheNewOrder(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var queue = Queue(database);
        var a = await SubmitAsync(queue, "a");
        var b = await SubmitAsync(queue, "b");
        var c = await SubmitAsync(queue, "c");
        var d = await SubmitAsync(queue, "d", priority: 5);

        Assert.True(await queue.Order.MoveAsync(c, QueueMove.Up));     // d a c b
        Assert.True(await queue.Order.MoveAsync(a, QueueMove.Top));    // a d c b (already second: to the front)
        Assert.True(await queue.Order.MoveAsync(d, QueueMove.Down));   // a c d b
        Assert.True(await queue.Order.MoveAsync(d, QueueMove.Down));   // a c b d
        Assert.True(await queue.Order.MoveAsync(a, QueueMove.Up));     // first stays first
        Assert.Equal([a, c, b, d], (await queue.Order.ListAsync()).Select(e => e.RunId));

        var claimed = new List<long>();
        while (await queue.Leases.ClaimNextAsync("worker") is { } job) claimed.Add(job.RunId);
        Assert.Equal([a, c, b, d], claimed);
        Assert.False(await queue.Order.MoveAsync(a, QueueMove.Down)); // leased, no longer queued
    }

    [Theory, SqliteData, PostgresData]
    public async Task CancelBetweenAClaimsTwoUpdates_StillCancelsTheRun(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var queue = Queue(database);
        var runId = await SubmitAsync(queue, "caught-mid-claim");
        await using (var context = database.CreateDbContext())
            // A claim leases the job first and marks the run running second; the cancel comes in between.
            await context.Jobs.Where(j => j.RunId == runId).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.State, JobState.Leased).SetProperty(j => j.LeaseOwner, "worker")
                .SetProperty(j => j.LeaseExpiresAt, DateTime.UtcNow.AddMinutes(1)));

        Assert.Equal(CancelResult.CancelRequested, await queue.Leases.CancelAsync(runId));

        await using var check = database.CreateDbContext();
        Assert.Equal(RunStatus.Cancelled, (await check.Runs.SingleAsync(r => r.Id == runId)).Status);
        Assert.Equal(HeartbeatResult.CancelRequested, await queue.Leases.HeartbeatAsync(runId, "worker"));
    }
}
