using Microsoft.AspNetCore.SignalR;
using Tracker.Shared;

namespace Tracker.Web.Realtime;

/// <summary>
/// Sends one run's event live to both audiences: in-process subscribers (Blazor components) and
/// the run's SignalR group (external clients). The one place that maps an event to its message.
/// Only <see cref="RunEventFeed"/> calls it, in sequence order, after the event is stored.
/// </summary>
public sealed class RunEventPublisher(RunNotifier notifier, IHubContext<RunsHub, IRunsClient> hub)
{
    public async Task PublishAsync(long runId, TrainingEvent trainingEvent)
    {
        await notifier.PublishAsync(runId, trainingEvent);
        await SendAsync(hub.Clients.Group(RunsHubRoutes.RunGroup(runId)), runId, trainingEvent);
    }

    /// <summary>Sends a stored event to one connection only (a client catching up).</summary>
    public Task SendToConnectionAsync(string connectionId, long runId, TrainingEvent trainingEvent) =>
        SendAsync(hub.Clients.Client(connectionId), runId, trainingEvent);

    private static Task SendAsync(IRunsClient client, long runId, TrainingEvent trainingEvent) => trainingEvent switch
    {
        RunStartedEvent e => client.RunStarted(runId, e),
        StepEvent e => client.StepReported(runId, e),
        EpochEvent e => client.EpochCompleted(runId, e),
        AnalysisEvent e => client.AnalysisReported(runId, e),
        CheckpointEvent e => client.CheckpointSaved(runId, e),
        RunFinishedEvent e => client.RunFinished(runId, e),
        PointsEvent e => client.PointsLogged(runId, e),
        _ => throw new ArgumentException($"No hub message for {trainingEvent.GetType().Name}.", nameof(trainingEvent)),
    };
}
