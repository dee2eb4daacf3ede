using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Support;
using Tracker.Web.Jobs;
using Tracker.Web.Realtime;

namespace Tracker.Web.IntegrationTests.Jobs;

public class RunEventSinkTests
{
    private static MetricPoint Point(long runId, long step, double value) =>
        new() { RunId = runId, Key = MetricKeys.ValAcc, Step = step, Epoch = (int)(step / 2), Value = value, Time = Runs.Created };

    [Theory, SqliteData, PostgresData]
    public async Task TruncateAfterResumeStep_DropsLaterPoints_AndRebuildsTheSummary(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var runId = await Runs.AddAsync(database);
        var otherRunId = await Runs.AddAsync(database);
        var writer = new MetricWriter(database);
        await writer.AppendAsync([Point(runId, 2, 40), Point(runId, 4, 30), Point(runId, 6, 90), Point(runId, 8, 10), Point(otherRunId, 6, 5)]);

        await RunEventSink.TruncateAfterAsync(database, runId, resumeStep: 4, resumeEpoch: 2);

        await using var context = database.CreateDbContext();
        Assert.Equal([2L, 4L], await context.MetricPoints.Where(p => p.RunId == runId).OrderBy(p => p.Step).Select(p => p.Step).ToListAsync());
        var summary = await context.RunSummaries.SingleAsync(s => s.RunId == runId);
        Assert.Equal((30.0, 4L, 30.0, 40.0, 2L), (summary.Last, summary.LastStep, summary.Min, summary.Max, summary.Count));
        Assert.Equal(1, (await context.RunSummaries.SingleAsync(s => s.RunId == otherRunId)).Count);
        Assert.Equal(2, (await context.Runs.SingleAsync(r => r.Id == runId)).EpochsCompleted);
    }

    [Fact]
    public async Task Events_ArePublishedLive_AndTheirPointsStoredByTheEnd()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await database.MigrateAsync();
        var runId = await Runs.AddAsync(database, new RunConfig { Name = "run", Epochs = 2 });
        var notifier = new RunNotifier(NullLogger<RunNotifier>.Instance);
        var received = new List<TrainingEvent>();
        using var subscription = notifier.Subscribe(runId.ToString(), e => { lock (received) received.Add(e); return Task.CompletedTask; });
        var publisher = new RunEventPublisher(notifier, new NoClients());
        var sink = new RunEventSink(runId, 2, publisher, new MetricWriter(database), database, NullLogger.Instance);

        sink.Post(new StepEvent { Step = 1, Epoch = 1, Metrics = new Dictionary<string, double> { [MetricKeys.TrainLoss] = 2.5 } });
        sink.Post(new EpochEvent { Step = 2, Epoch = 1, ElapsedSeconds = 1, Metrics = new Dictionary<string, double> { [MetricKeys.ValAcc] = 50 } });
        sink.Post(new StepEvent { Step = 3, Epoch = 2, Metrics = new Dictionary<string, double> { [MetricKeys.TrainLoss] = 2.0 } });
        await sink.CompleteAsync();

        Assert.Equal(3, received.Count);
        await using var context = database.CreateDbContext();
        Assert.Equal([1L, 2L, 3L], await context.MetricPoints.OrderBy(p => p.Step).Select(p => p.Step).ToListAsync());
        var run = await context.Runs.SingleAsync(r => r.Id == runId);
        Assert.Equal((1, 0.5), (run.EpochsCompleted, run.Progress));
    }

    [Fact]
    public async Task AStepEventAtTheEndOfAnEpoch_AndTheEpochEvent_StoreEachPointOnce()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await database.MigrateAsync();
        var runId = await Runs.AddAsync(database, new RunConfig { Name = "run", Epochs = 2 });
        var publisher = new RunEventPublisher(new RunNotifier(NullLogger<RunNotifier>.Instance), new NoClients());
        var sink = new RunEventSink(runId, 2, publisher, new MetricWriter(database), database, NullLogger.Instance);

        // The trainer reports step 50 twice when epoch 1 ends there: in a step event and again in the epoch event.
        sink.Post(new StepEvent { Step = 50, Epoch = 1, Metrics = new Dictionary<string, double> { [MetricKeys.TrainLoss] = 2.5 } });
        sink.Post(new EpochEvent { Step = 50, Epoch = 1, ElapsedSeconds = 1, Metrics = new Dictionary<string, double> { [MetricKeys.TrainLoss] = 2.5, [MetricKeys.ValAcc] = 50 } });
        sink.Post(new StepEvent { Step = 100, Epoch = 2, Metrics = new Dictionary<string, double> { [MetricKeys.TrainLoss] = 2.0 } });
        await sink.CompleteAsync();

        await using var context = database.CreateDbContext();
        Assert.Equal([50L, 100L], await context.MetricPoints.Where(p => p.Key == MetricKeys.TrainLoss).OrderBy(p => p.Step).Select(p => p.Step).ToListAsync());
        Assert.Equal(2, (await context.RunSummaries.SingleAsync(s => s.RunId == runId && s.Key == MetricKeys.TrainLoss)).Count);
        Assert.Equal(1, await context.MetricPoints.CountAsync(p => p.Key == MetricKeys.ValAcc));
    }

    [Fact]
    public async Task PointsOfAQuietTrainer_AreWrittenWithinAFlushInterval()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await database.MigrateAsync();
        var runId = await Runs.AddAsync(database);
        var publisher = new RunEventPublisher(new RunNotifier(NullLogger<RunNotifier>.Instance), new NoClients());
        var sink = new RunEventSink(runId, 10, publisher, new MetricWriter(database), database, NullLogger.Instance);

        sink.Post(new StepEvent { Step = 1, Epoch = 1, Metrics = new Dictionary<string, double> { [MetricKeys.TrainLoss] = 2.5 } });

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        long stored;
        do
        {
            await Task.Delay(50);
            await using var context = database.CreateDbContext();
            stored = await context.MetricPoints.CountAsync();
        } while (stored == 0 && DateTime.UtcNow < deadline);
        Assert.Equal(1, stored); // before the sink is completed
        await sink.CompleteAsync();
    }

    /// <summary>A hub with nobody connected: these tests look at the in-process side only.</summary>
    private sealed class NoClients : Microsoft.AspNetCore.SignalR.IHubContext<RunsHub, IRunsClient>
    {
        public Microsoft.AspNetCore.SignalR.IHubClients<IRunsClient> Clients => throw new NotSupportedException();
        public Microsoft.AspNetCore.SignalR.IGroupManager Groups => throw new NotSupportedException();
    }
}
