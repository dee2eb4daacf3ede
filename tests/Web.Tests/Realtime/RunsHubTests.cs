using Microsoft.Extensions.DependencyInjection;
using Tracker.Shared;
using Tracker.Tests.Support;
using Tracker.Web.Realtime;
using Tracker.Web.Tests.Support;

namespace Tracker.Web.Tests.Realtime;

public sealed class RunsHubTests(TrackerWebFactory factory) : IClassFixture<TrackerWebFactory>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private async Task<SignalRJsonClient> ConnectAsync()
    {
        var socket = await factory.CreateAuthorizedWebSocketClient().ConnectAsync(new Uri("ws://localhost" + RunsHubRoutes.Path), CancellationToken.None);
        return await SignalRJsonClient.ConnectAsync(socket);
    }

    private static EpochEvent Epoch(int epoch) => new()
    {
        Epoch = epoch,
        Step = epoch * 10,
        ElapsedSeconds = 1.5,
        Metrics = new Dictionary<string, double> { [MetricKeys.ValAcc] = 81.25, [MetricKeys.TrainLoss] = double.NaN },
    };

    [Fact]
    public async Task JoinedClient_ReceivesItsRunsEpochEvents_AndNoOtherRuns()
    {
        await using var client = await ConnectAsync();
        await client.InvokeAsync("JoinRun", "run-a");
        var publisher = factory.Services.GetRequiredService<RunEventPublisher>();

        await publisher.PublishAsync("run-b", Epoch(1));
        await publisher.PublishAsync("run-a", Epoch(3));

        var (target, arguments) = await client.NextInvocationAsync(Wait);
        Assert.Equal(nameof(IRunsClient.EpochCompleted), target);
        Assert.Equal("run-a", arguments[0].GetString());
        Assert.Equal(3, arguments[1].GetProperty("epoch").GetInt32());
        Assert.Equal(81.25, arguments[1].GetProperty("metrics").GetProperty(MetricKeys.ValAcc).GetDouble());
        Assert.Equal("NaN", arguments[1].GetProperty("metrics").GetProperty(MetricKeys.TrainLoss).GetString()); // a diverging run still streams
    }

    [Fact]
    public async Task LeftClient_ReceivesNothingMore()
    {
        await using var client = await ConnectAsync();
        await client.InvokeAsync("JoinRun", "run-c");
        await client.InvokeAsync("LeaveRun", "run-c");
        await factory.Services.GetRequiredService<RunEventPublisher>().PublishAsync("run-c", Epoch(1));
        Assert.False(await client.AnyInvocationWithinAsync(TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public async Task EveryEventKind_ArrivesUnderItsOwnMessageName()
    {
        await using var client = await ConnectAsync();
        await client.InvokeAsync("JoinRun", "run-d");
        var publisher = factory.Services.GetRequiredService<RunEventPublisher>();
        TrainingEvent[] events =
        [
            new RunStartedEvent { Config = new RunConfig(), Device = "cpu", ParameterCount = 10 },
            new StepEvent { Step = 1, Epoch = 1, Metrics = new Dictionary<string, double>() },
            Epoch(1),
            new AnalysisEvent { Step = 1, Epoch = 1, Metrics = new Dictionary<string, double>() },
            new CheckpointEvent { Epoch = 1, Step = 1, Path = "/x" },
            new RunFinishedEvent { Status = RunOutcome.Succeeded, Summary = new RunSummary() },
        ];
        foreach (var e in events) await publisher.PublishAsync("run-d", e);

        var targets = new List<string>();
        for (var i = 0; i < events.Length; i++) targets.Add((await client.NextInvocationAsync(Wait)).Target);
        Assert.Equal(
            [nameof(IRunsClient.RunStarted), nameof(IRunsClient.StepReported), nameof(IRunsClient.EpochCompleted),
             nameof(IRunsClient.AnalysisReported), nameof(IRunsClient.CheckpointSaved), nameof(IRunsClient.RunFinished)],
            targets);
    }

    [Fact]
    public async Task JoiningWithAnEmptyRunId_IsRefusedWithAClearError()
    {
        await using var client = await ConnectAsync();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.InvokeAsync("JoinRun", ""));
        Assert.Contains("run id", error.Message);
    }

    [Fact]
    public async Task InProcessSubscribers_GetTheSameEvents_AndAFailingOneDoesNotStopTheOthers()
    {
        var notifier = factory.Services.GetRequiredService<RunNotifier>();
        var received = new List<int>();
        using var failing = notifier.Subscribe("run-e", _ => throw new InvalidOperationException("broken component"));
        using (notifier.Subscribe("run-e", e => { received.Add(((EpochEvent)e).Epoch); return Task.CompletedTask; }))
        {
            await factory.Services.GetRequiredService<RunEventPublisher>().PublishAsync("run-e", Epoch(7));
            Assert.Equal([7], received);
        }
        Assert.Equal(1, notifier.SubscriberCount("run-e")); // disposing a subscription removes exactly it
    }
}
