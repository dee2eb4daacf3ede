using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Tracker.Shared;

namespace Tracker.Tests.Support;

/// <summary>
/// A client of /hubs/runs built on the real SignalR client (JSON or MessagePack), as a script would write one: it
/// handles every <see cref="IRunsClient"/> message and queues what arrives, in order, for the test to read.
/// </summary>
public sealed class RunEventsClient : IAsyncDisposable
{
    private readonly Channel<(string Message, long RunId, TrainingEvent Event)> _received = Channel.CreateUnbounded<(string, long, TrainingEvent)>();

    private RunEventsClient(HubConnection connection)
    {
        Connection = connection;
        On<RunStartedEvent>(nameof(IRunsClient.RunStarted));
        On<StepEvent>(nameof(IRunsClient.StepReported));
        On<EpochEvent>(nameof(IRunsClient.EpochCompleted));
        On<AnalysisEvent>(nameof(IRunsClient.AnalysisReported));
        On<CheckpointEvent>(nameof(IRunsClient.CheckpointSaved));
        On<RunFinishedEvent>(nameof(IRunsClient.RunFinished));
        On<PointsEvent>(nameof(IRunsClient.PointsLogged));
    }

    public HubConnection Connection { get; }

    /// <summary>
    /// Connects to the hub of the app at <paramref name="appAddress"/>. <paramref name="configure"/> points the transport
    /// at a test server (its handler and WebSocket client); <paramref name="messagePack"/> speaks the binary protocol.
    /// It signs in with the tests' admin token, as a script would with its own.
    /// </summary>
    public static async Task<RunEventsClient> ConnectAsync(Uri appAddress, Action<HttpConnectionOptions>? configure = null, bool messagePack = false)
    {
        var builder = new HubConnectionBuilder().WithUrl(new Uri(appAddress, RunsHubRoutes.Path), options =>
        {
            options.AccessTokenProvider = () => Task.FromResult<string?>(TestAuth.AdminToken);
            configure?.Invoke(options);
        });
        if (messagePack) builder.AddMessagePackProtocol();
        // TrackerJson's settings, except that a client skips what it does not bind: each event also carries its "type".
        else builder.AddJsonProtocol(options => options.PayloadSerializerOptions = new System.Text.Json.JsonSerializerOptions(TrackerJson.Options)
        {
            UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip,
        });
        var client = new RunEventsClient(builder.Build());
        await client.Connection.StartAsync();
        return client;
    }

    public Task JoinAsync(long runId) => Connection.InvokeAsync(RunsHubRoutes.JoinRun, runId);

    public Task JoinAfterAsync(long runId, long afterSeq) => Connection.InvokeAsync(RunsHubRoutes.JoinRunAfter, runId, afterSeq);

    public Task LeaveAsync(long runId) => Connection.InvokeAsync(RunsHubRoutes.LeaveRun, runId);

    /// <summary>The next message received, or a timeout.</summary>
    public async Task<(string Message, long RunId, TrainingEvent Event)> NextAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            return await _received.Reader.ReadAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No hub message within {timeout}.");
        }
    }

    /// <summary>True when a message arrives within <paramref name="wait"/>.</summary>
    public async Task<bool> AnyWithinAsync(TimeSpan wait)
    {
        using var cancellation = new CancellationTokenSource(wait);
        try
        {
            return await _received.Reader.WaitToReadAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Reads messages until a run-finished one, or a timeout; returns every event read, in order.</summary>
    public async Task<List<TrainingEvent>> UntilFinishedAsync(TimeSpan timeout)
    {
        var events = new List<TrainingEvent>();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            var (_, _, received) = await NextAsync(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1));
            events.Add(received);
            if (received is RunFinishedEvent) return events;
        }
    }

    public ValueTask DisposeAsync() => Connection.DisposeAsync();

    private void On<TEvent>(string message) where TEvent : TrainingEvent =>
        Connection.On<long, TEvent>(message, (runId, received) => _received.Writer.TryWrite((message, runId, received)));
}
