using Microsoft.AspNetCore.SignalR;
using Tracker.Shared;

namespace Tracker.Web.Realtime;

/// <summary>
/// Sends one run's event live to both audiences: in-process subscribers (Blazor components) and
/// the run's SignalR group (external clients). The one place that maps an event to its message.
/// </summary>
public sealed class RunEventPublisher(RunNotifier notifier, IHubContext<RunsHub, IRunsClient> hub)
{
    public async Task PublishAsync(string runId, TrainingEvent trainingEvent)
    {
        await notifier.PublishAsync(runId, trainingEvent);
        var group = hub.Clients.Group(RunsHubRoutes.RunGroup(runId));
        await (trainingEvent switch
        {
            RunStartedEvent e => group.RunStarted(runId, e),
            StepEvent e => group.StepReported(runId, e),
            EpochEvent e => group.EpochCompleted(runId, e),
            AnalysisEvent e => group.AnalysisReported(runId, e),
            CheckpointEvent e => group.CheckpointSaved(runId, e),
            RunFinishedEvent e => group.RunFinished(runId, e),
            _ => throw new ArgumentException($"No hub message for {trainingEvent.GetType().Name}.", nameof(trainingEvent)),
        });
    }
}
