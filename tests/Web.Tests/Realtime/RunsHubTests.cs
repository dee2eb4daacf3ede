using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Tracker.Shared;
using Tracker.Tests.Support;
using Tracker.Web.Realtime;
using Tracker.Web.Tests.Support;

namespace Tracker.Web.Tests.Realtime;

public sealed class RunsHubTests(TrackerWebFactory factory) : IClassFixture<TrackerWebFactory>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private Task<RunEventsClient> ConnectAsync(bool messagePack = false) =>
        RunEventsClient.ConnectAsync(factory.Server.BaseAddress, options =>
        {
            options.Transports = HttpTransportType.WebSockets;
            options.SkipNegotiation = true;
            options.WebSocketFactory = async (context, cancellation) => await factory.CreateAuthorizedWebSocketClient().ConnectAsync(context.Uri, cancellation);
        }, messagePack);

    private RunEventPublisher Publisher => factory.Services.GetRequiredService<RunEventPublisher>();

    private static EpochEvent Epoch(int epoch) => new()
    {
        Seq = epoch,
        Epoch = epoch,
        Step = epoch * 10,
        EpochSeconds = 1.5,
        Metrics = new Dictionary<string, double> { [MetricKeys.ValAcc] = 81.25, [MetricKeys.TrainLoss] = double.NaN },
    };

    [Fact]
    public async Task JoinedClient_ReceivesItsRunsEpochEvents_AndNoOtherRuns()
    {
        await using var client = await ConnectAsync();
        await client.JoinAsync(101);

        await Publisher.PublishAsync(102, Epoch(1));
        await Publisher.PublishAsync(101, Epoch(3));

        var (message, runId, received) = await client.NextAsync(Wait);
        Assert.Equal((nameof(IRunsClient.EpochCompleted), 101L), (message, runId));
        var epoch = Assert.IsType<EpochEvent>(received);
        Assert.Equal((3, 3L, 81.25), (epoch.Epoch, epoch.Seq, epoch.Metrics[MetricKeys.ValAcc]));
        Assert.True(double.IsNaN(epoch.Metrics[MetricKeys.TrainLoss])); // a diverging run still streams
    }

    [Fact]
    public async Task MessagePackClient_ReceivesTheRunsEvents()
    {
        await using var client = await ConnectAsync(messagePack: true);
        await client.JoinAsync(111);

        await Publisher.PublishAsync(111, Epoch(4));

        var (message, runId, received) = await client.NextAsync(Wait);
        Assert.Equal((nameof(IRunsClient.EpochCompleted), 111L), (message, runId));
        var epoch = Assert.IsType<EpochEvent>(received);
        Assert.Equal((4, 4L, 40L, 81.25), (epoch.Epoch, epoch.Seq, epoch.Step, epoch.Metrics[MetricKeys.ValAcc]));
        Assert.True(double.IsNaN(epoch.Metrics[MetricKeys.TrainLoss]));
    }

    [Fact]
    public async Task LeftClient_ReceivesNothingMore()
    {
        await using var client = await ConnectAsync();
        await client.JoinAsync(103);
        await client.LeaveAsync(103);
        await Publisher.PublishAsync(103, Epoch(1));
        Assert.False(await client.AnyWithinAsync(TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public async Task EveryEventKind_ArrivesUnderItsOwnMessageName()
    {
        await using var client = await ConnectAsync();
        await client.JoinAsync(104);
        TrainingEvent[] events =
        [
            new RunStartedEvent { Config = new RunConfig(), Device = "cpu", ParameterCount = 10 },
            new StepEvent { Step = 1, Epoch = 1, Metrics = new Dictionary<string, double>() },
            Epoch(1),
            new AnalysisEvent { Step = 1, Epoch = 1, Metrics = new Dictionary<string, double>() },
            new CheckpointEvent { Epoch = 1, Step = 1, Path = "/x" },
            new RunFinishedEvent { Status = RunOutcome.Succeeded, Summary = new RunOutcomeSummary() },
        ];
        foreach (var e in events) await Publisher.PublishAsync(104, e);

        var targets = new List<string>();
        for (var i = 0; i < events.Length; i++) targets.Add((await client.NextAsync(Wait)).Message);
        Assert.Equal(
            [nameof(IRunsClient.RunStarted), nameof(IRunsClient.StepReported), nameof(IRunsClient.EpochCompleted),
             nameof(IRunsClient.AnalysisReported), nameof(IRunsClient.CheckpointSaved), nameof(IRunsClient.RunFinished)],
            targets);
    }

    [Fact]
    public async Task JoinRun_TakesTheRunIdAsANumberOrAsAString()
    {
        await using var client = await ConnectAsync();
        await client.Connection.InvokeAsync(RunsHubRoutes.JoinRun, 105);
        await client.Connection.InvokeAsync(RunsHubRoutes.JoinRun, "106");

        await Publisher.PublishAsync(105, Epoch(1));
        await Publisher.PublishAsync(106, Epoch(2));

        Assert.Equal(105, (await client.NextAsync(Wait)).RunId);
        Assert.Equal(106, (await client.NextAsync(Wait)).RunId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("run-7")]
    [InlineData("-3")]
    public async Task JoiningWithAnInvalidRunId_IsRefusedWithAClearError(string runId)
    {
        await using var client = await ConnectAsync();
        var error = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => client.Connection.InvokeAsync(RunsHubRoutes.JoinRun, runId));
        Assert.Contains("A run id is a positive whole number", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InProcessSubscribers_GetTheSameEvents_AndAFailingOrDisposedOneDoesNotStopTheOthers()
    {
        var notifier = factory.Services.GetRequiredService<RunNotifier>();
        var received = new List<int>();
        var disposedReceived = new List<int>();
        using var failing = notifier.Subscribe(107, _ => throw new InvalidOperationException("broken component"));
        using var listening = notifier.Subscribe(107, e => { received.Add(((EpochEvent)e).Epoch); return Task.CompletedTask; });
        var disposed = notifier.Subscribe(107, e => { disposedReceived.Add(((EpochEvent)e).Epoch); return Task.CompletedTask; });

        await Publisher.PublishAsync(107, Epoch(7));
        disposed.Dispose();
        await Publisher.PublishAsync(107, Epoch(8));

        Assert.Equal([7, 8], received);
        Assert.Equal([7], disposedReceived); // disposing a subscription removes exactly it
    }

    /// <summary>What a client without a SignalR library sees: JSON text records ending in 0x1E, NaN written as "NaN".</summary>
    [Fact]
    public async Task WireFormat_IsJsonRecords_WithSeqAndNamedNaN()
    {
        using var socket = await factory.CreateAuthorizedWebSocketClient().ConnectAsync(new Uri(factory.Server.BaseAddress, RunsHubRoutes.Path), CancellationToken.None);
        await HubRecords.SendAsync(socket, """{"protocol":"json","version":1}""");
        Assert.Equal("{}", await HubRecords.ReceiveAsync(socket)); // handshake accepted
        await HubRecords.SendAsync(socket, """{"type":1,"invocationId":"1","target":"JoinRun","arguments":[108]}""");
        Assert.Contains("\"invocationId\":\"1\"", await HubRecords.ReceiveAsync(socket), StringComparison.Ordinal);

        await Publisher.PublishAsync(108, Epoch(2));

        var record = await HubRecords.ReceiveAsync(socket);
        Assert.Contains("\"target\":\"EpochCompleted\"", record, StringComparison.Ordinal);
        Assert.Contains("\"arguments\":[108,{", record, StringComparison.Ordinal);
        Assert.Contains("\"seq\":2", record, StringComparison.Ordinal);
        Assert.Contains("\"train/loss\":\"NaN\"", record, StringComparison.Ordinal);
    }
}
