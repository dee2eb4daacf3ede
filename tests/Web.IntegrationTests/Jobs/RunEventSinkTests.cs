using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Support;
using Tracker.Web.Jobs;
using Tracker.Web.Realtime;

namespace Tracker.Web.IntegrationTests.Jobs;

[Collection(StopsTheDatabase.Name)]
public class RunEventSinkTests
{
    private static readonly SinkLimits Roomy = new(Buffer: 10_000, OutageLimit: TimeSpan.FromSeconds(30));

    private static MetricPoint Point(long runId, long step, double value) =>
        new() { RunId = runId, Key = MetricKeys.ValAcc, Step = step, Epoch = (int)(step / 2), Value = value, Time = Runs.Created };

    private static Dictionary<string, double> Metrics(params (string Key, double Value)[] values) => values.ToDictionary(v => v.Key, v => v.Value);

    /// <summary>A sink over <paramref name="database"/> whose announcements reach <paramref name="notifier"/> (nobody on the hub).</summary>
    private static (RunEventSink Sink, StorageHealth Health) Sink(TestDatabase database, long runId, RunNotifier notifier, SinkLimits? limits = null,
        Action<string>? onGiveUp = null)
    {
        var store = new RunEventStore(database);
        var hub = new NoClients();
        var feed = new RunEventFeed(new RunEventPublisher(notifier, hub), store, hub, NullLogger<RunEventFeed>.Instance);
        var health = new StorageHealth(TimeProvider.System);
        return (new RunEventSink(runId, store, feed, health, limits ?? Roomy, NullLogger.Instance, onGiveUp ?? (_ => { })), health);
    }

    private static RunNotifier Notifier() => new(NullLogger<RunNotifier>.Instance);

    [Theory, SqliteData, PostgresData]
    public async Task TruncateAfterResumeStep_DropsLaterPoints_AndRebuildsTheSummary(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var runId = await Runs.AddAsync(database);
        var otherRunId = await Runs.AddAsync(database);
        var writer = new MetricWriter(database);
        await writer.AppendAsync([Point(runId, 2, 40), Point(runId, 4, 30), Point(runId, 6, 90), Point(runId, 8, 10), Point(otherRunId, 6, 5)]);

        await writer.TruncateAfterAsync(runId, resumeStep: 4, resumeEpoch: 2);

        await using var context = database.CreateDbContext();
        Assert.Equal([2L, 4L], await context.MetricPoints.Where(p => p.RunId == runId).OrderBy(p => p.Step).Select(p => p.Step).ToListAsync());
        var summary = await context.RunSummaries.SingleAsync(s => s.RunId == runId);
        Assert.Equal((30.0, 4L, 30.0, 40.0, 2L), (summary.Last, summary.LastStep, summary.Min, summary.Max, summary.Count));
        Assert.Equal(1, (await context.RunSummaries.SingleAsync(s => s.RunId == otherRunId)).Count);
        Assert.Equal(2, (await context.Runs.SingleAsync(r => r.Id == runId)).EpochsCompleted);
    }

    [Fact]
    public async Task Events_AreStored_ThenAnnouncedInOrder()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await database.MigrateAsync();
        var runId = await Runs.AddAsync(database, new RunConfig { Name = "run", Epochs = 2 });
        var notifier = Notifier();
        var announced = new List<(long Seq, long StoredSeq)>();
        // Each announcement looks at the database: the event must already be there.
        using var subscription = notifier.Subscribe(runId, async e =>
        {
            await using var context = database.CreateDbContext();
            var stored = await context.Runs.Where(r => r.Id == runId).Select(r => r.StoredSeq).SingleAsync();
            lock (announced) announced.Add((e.Seq, stored));
        });
        var (sink, _) = Sink(database, runId, notifier);

        sink.Post(new StepEvent { Seq = 1, Step = 1, Epoch = 1, Metrics = Metrics((MetricKeys.TrainLoss, 2.5)) });
        sink.Post(new EpochEvent { Seq = 2, Step = 2, Epoch = 1, EpochSeconds = 1, Metrics = Metrics((MetricKeys.ValAcc, 50)) });
        sink.Post(new StepEvent { Seq = 3, Step = 3, Epoch = 2, Metrics = Metrics((MetricKeys.TrainLoss, 2.0)) });
        await sink.CompleteAsync();

        Assert.Equal([1L, 2L, 3L], announced.Select(a => a.Seq));
        Assert.All(announced, a => Assert.True(a.StoredSeq >= a.Seq, $"event {a.Seq} announced with only {a.StoredSeq} stored"));
        Assert.Equal(3, sink.AckedSeq);
        await using var context = database.CreateDbContext();
        Assert.Equal([1L, 2L, 3L], await context.MetricPoints.OrderBy(p => p.Step).Select(p => p.Step).ToListAsync());
        Assert.Equal([1L, 2L, 3L], await context.RunEvents.Where(e => e.RunId == runId).OrderBy(e => e.Seq).Select(e => e.Seq).ToListAsync());
        var run = await context.Runs.SingleAsync(r => r.Id == runId);
        Assert.Equal((1, 0.5, 3L), (run.EpochsCompleted, run.Progress, run.StoredSeq));
    }

    [Fact]
    public async Task AStepEventAtTheEndOfAnEpoch_AndTheEpochEvent_StoreEachPointOnce_EvenInTwoBatches()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await database.MigrateAsync();
        var runId = await Runs.AddAsync(database, new RunConfig { Name = "run", Epochs = 2 });
        var store = new RunEventStore(database);

        // The trainer reports step 50 twice when epoch 1 ends there: in a step event and again in the epoch event;
        // a quiet flush (validation takes a while) can store them in two batches.
        await store.StoreAsync(runId, [new StepEvent { Seq = 1, Step = 50, Epoch = 1, Metrics = Metrics((MetricKeys.TrainLoss, 2.5)) }]);
        await store.StoreAsync(runId, [
            new EpochEvent { Seq = 2, Step = 50, Epoch = 1, EpochSeconds = 1, Metrics = Metrics((MetricKeys.TrainLoss, 2.5), (MetricKeys.ValAcc, 50)) },
            new StepEvent { Seq = 3, Step = 100, Epoch = 2, Metrics = Metrics((MetricKeys.TrainLoss, 2.0)) }]);

        await using var context = database.CreateDbContext();
        Assert.Equal([50L, 100L], await context.MetricPoints.Where(p => p.Key == MetricKeys.TrainLoss).OrderBy(p => p.Step).Select(p => p.Step).ToListAsync());
        Assert.Equal(2, (await context.RunSummaries.SingleAsync(s => s.RunId == runId && s.Key == MetricKeys.TrainLoss)).Count);
        Assert.Equal(1, await context.MetricPoints.CountAsync(p => p.Key == MetricKeys.ValAcc));
    }

    [Fact]
    public async Task ASystemMetricsEventAtTheEpochsLastStep_DoesNotLetTheEpochEventStoreTheStepsPointsTwice()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await database.MigrateAsync();
        var runId = await Runs.AddAsync(database, new RunConfig { Name = "run", Epochs = 2 });
        var store = new RunEventStore(database);

        // The step event of step 50 went in an earlier batch; the system sample of that step shares the epoch event's batch.
        await store.StoreAsync(runId, [new StepEvent { Seq = 1, Step = 50, Epoch = 1, Metrics = Metrics((MetricKeys.TrainLoss, 2.5)) }]);
        await store.StoreAsync(runId, [
            new AnalysisEvent { Seq = 2, Step = 50, Epoch = 1, Metrics = Metrics((MetricKeys.CpuPercent, 80), (MetricKeys.RssMb, 900)) },
            new EpochEvent { Seq = 3, Step = 50, Epoch = 1, EpochSeconds = 1, Metrics = Metrics((MetricKeys.TrainLoss, 2.5), (MetricKeys.ValAcc, 50)) }]);

        await using var context = database.CreateDbContext();
        Assert.Equal(1, await context.MetricPoints.CountAsync(p => p.Key == MetricKeys.TrainLoss));
        Assert.Equal(1, (await context.RunSummaries.SingleAsync(s => s.RunId == runId && s.Key == MetricKeys.TrainLoss)).Count);
        Assert.Equal(1, await context.MetricPoints.CountAsync(p => p.Key == MetricKeys.ValAcc));
        Assert.Equal(80, (await context.MetricPoints.SingleAsync(p => p.Key == MetricKeys.CpuPercent)).Value);
    }

    [Theory, SqliteData, PostgresData]
    public async Task AResentBatch_IsANoOp_AndAGapIsRefused(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var runId = await Runs.AddAsync(database);
        var store = new RunEventStore(database);
        TrainingEvent[] batch =
        [
            new StepEvent { Seq = 1, Step = 1, Epoch = 1, Metrics = Metrics((MetricKeys.TrainLoss, 2.5)) },
            new StepEvent { Seq = 2, Step = 2, Epoch = 1, Metrics = Metrics((MetricKeys.TrainLoss, 2.4)) },
        ];

        var first = await store.StoreAsync(runId, batch);
        var again = await store.StoreAsync(runId, batch); // the acknowledgement was lost: the producer resends
        var overlapping = await store.StoreAsync(runId, [batch[1], new StepEvent { Seq = 3, Step = 3, Epoch = 1, Metrics = Metrics((MetricKeys.TrainLoss, 2.3)) }]);
        var gap = await Assert.ThrowsAsync<SequenceGapException>(() =>
            store.StoreAsync(runId, [new StepEvent { Seq = 5, Step = 5, Epoch = 1, Metrics = Metrics((MetricKeys.TrainLoss, 2.1)) }]));

        Assert.Equal((2L, 2), (first.AckedSeq, first.Stored.Count));
        Assert.Equal((2L, 0), (again.AckedSeq, again.Stored.Count));
        Assert.Equal(3L, overlapping.AckedSeq);
        Assert.Equal([3L], overlapping.Stored.Select(e => e.Seq));
        Assert.Equal(4, gap.ExpectedSeq);
        await using var context = database.CreateDbContext();
        Assert.Equal([1L, 2L, 3L], await context.MetricPoints.Where(p => p.RunId == runId).OrderBy(p => p.Step).Select(p => p.Step).ToListAsync());
        Assert.Equal(3, (await context.RunSummaries.SingleAsync(s => s.RunId == runId)).Count);
        Assert.Equal([1L, 2L, 3L], (await store.ReadAsync(runId, afterSeq: 0)).Select(e => e.Seq));
        Assert.Equal([3L], (await store.ReadAsync(runId, afterSeq: 2)).Select(e => e.Seq));
    }

    [Fact]
    public async Task PointsOfAQuietTrainer_AreWrittenWithinAFlushInterval()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await database.MigrateAsync();
        var runId = await Runs.AddAsync(database);
        var (sink, _) = Sink(database, runId, Notifier());

        sink.Post(new StepEvent { Seq = 1, Step = 1, Epoch = 1, Metrics = Metrics((MetricKeys.TrainLoss, 2.5)) });

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

    [Fact]
    public async Task WhileTheStoreIsDown_TheTrainerWaitsAtAFullBuffer_AndNothingIsLost()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await database.MigrateAsync();
        var runId = await Runs.AddAsync(database);
        var outage = new StoreOutage();
        var failing = new TestDatabase.WithInterceptor(database, outage.Interceptor);
        var store = new RunEventStore(failing);
        var hub = new NoClients();
        var feed = new RunEventFeed(new RunEventPublisher(Notifier(), hub), store, hub, NullLogger<RunEventFeed>.Instance);
        var health = new StorageHealth(TimeProvider.System);
        var sink = new RunEventSink(runId, store, feed, health, new SinkLimits(Buffer: 100, OutageLimit: TimeSpan.FromSeconds(60)), NullLogger.Instance, _ => { });
        await outage.StopAsync(DatabaseProvider.Sqlite);
        const int events = RunEventSink.MaxBatch + 1000; // more than the sink's batch and its buffer hold

        var posted = 0;
        var trainer = Task.Run(() =>
        {
            for (var seq = 1; seq <= events; seq++)
            {
                sink.Post(new StepEvent { Seq = seq, Step = seq, Epoch = 1, Metrics = Metrics((MetricKeys.TrainLoss, 1.0 / seq)) });
                Volatile.Write(ref posted, seq);
            }
        });
        await Task.Delay(1500);

        Assert.False(trainer.IsCompleted); // back-pressure: it waits instead of dropping
        Assert.InRange(Volatile.Read(ref posted), 100, 100 + RunEventSink.MaxBatch + 100); // the buffer, plus the batch the sink holds
        Assert.NotNull(health.Problem);
        await outage.StartAsync(DatabaseProvider.Sqlite);
        await trainer.WaitAsync(TimeSpan.FromSeconds(30));
        await sink.CompleteAsync();

        Assert.Null(sink.Failure);
        Assert.Null(health.Problem);
        await using var context = database.CreateDbContext();
        Assert.Equal(Enumerable.Range(1, events).Select(i => (long)i), await context.MetricPoints.Where(p => p.RunId == runId).OrderBy(p => p.Step).Select(p => p.Step).ToListAsync());
        Assert.Equal(events, (await context.Runs.SingleAsync(r => r.Id == runId)).StoredSeq);
    }

    [Fact]
    public async Task StoreDownPastTheLimit_TheSinkGivesUpWithTheReason_AndReleasesTheTrainer()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await database.MigrateAsync();
        var runId = await Runs.AddAsync(database);
        var outage = new StoreOutage();
        var failing = new TestDatabase.WithInterceptor(database, outage.Interceptor);
        var store = new RunEventStore(failing);
        var hub = new NoClients();
        var feed = new RunEventFeed(new RunEventPublisher(Notifier(), hub), store, hub, NullLogger<RunEventFeed>.Instance);
        string? reason = null;
        var sink = new RunEventSink(runId, store, feed, new StorageHealth(TimeProvider.System),
            new SinkLimits(Buffer: 100, OutageLimit: TimeSpan.FromSeconds(1)), NullLogger.Instance, r => reason = r);
        await outage.StopAsync(DatabaseProvider.Sqlite);

        var trainer = Task.Run(() =>
        {
            for (var seq = 1; seq <= 1000; seq++) sink.Post(new StepEvent { Seq = seq, Step = seq, Epoch = 1, Metrics = Metrics((MetricKeys.TrainLoss, 1)) });
        });
        await trainer.WaitAsync(TimeSpan.FromSeconds(30)); // a sink that gave up no longer holds the trainer
        await sink.CompleteAsync();

        Assert.NotNull(reason);
        Assert.Equal(reason, sink.Failure);
        Assert.Contains("did not store the run's events", reason, StringComparison.Ordinal);
        Assert.Contains("unable to open database file", reason, StringComparison.Ordinal);
        Assert.Equal(0, sink.AckedSeq);
    }

    /// <summary>A hub with nobody connected: these tests look at the in-process side only.</summary>
    private sealed class NoClients : Microsoft.AspNetCore.SignalR.IHubContext<RunsHub, IRunsClient>
    {
        public Microsoft.AspNetCore.SignalR.IHubClients<IRunsClient> Clients { get; } = new NoHubClients();
        public Microsoft.AspNetCore.SignalR.IGroupManager Groups => throw new NotSupportedException();
    }

    private sealed class NoHubClients : Microsoft.AspNetCore.SignalR.IHubClients<IRunsClient>
    {
        private static readonly IRunsClient Nobody = new NoClient();
        public IRunsClient All => Nobody;
        public IRunsClient AllExcept(IReadOnlyList<string> excludedConnectionIds) => Nobody;
        public IRunsClient Client(string connectionId) => Nobody;
        public IRunsClient Clients(IReadOnlyList<string> connectionIds) => Nobody;
        public IRunsClient Group(string groupName) => Nobody;
        public IRunsClient GroupExcept(string groupName, IReadOnlyList<string> excludedConnectionIds) => Nobody;
        public IRunsClient Groups(IReadOnlyList<string> groupNames) => Nobody;
        public IRunsClient User(string userId) => Nobody;
        public IRunsClient Users(IReadOnlyList<string> userIds) => Nobody;
    }

    private sealed class NoClient : IRunsClient
    {
        public Task RunStarted(long runId, RunStartedEvent e) => Task.CompletedTask;
        public Task StepReported(long runId, StepEvent e) => Task.CompletedTask;
        public Task EpochCompleted(long runId, EpochEvent e) => Task.CompletedTask;
        public Task AnalysisReported(long runId, AnalysisEvent e) => Task.CompletedTask;
        public Task CheckpointSaved(long runId, CheckpointEvent e) => Task.CompletedTask;
        public Task RunFinished(long runId, RunFinishedEvent e) => Task.CompletedTask;
        public Task PointsLogged(long runId, PointsEvent e) => Task.CompletedTask;
    }
}
