namespace Tracker.Shared;

/// <summary>
/// The typed SignalR client of the runs hub (<c>Hub&lt;IRunsClient&gt;</c>, <c>IHubContext&lt;RunsHub, IRunsClient&gt;</c>):
/// what subscribers of a run's group receive. Each method name is the message name on the wire.
/// </summary>
public interface IRunsClient
{
    Task RunStarted(string runId, RunStartedEvent e);
    Task StepReported(string runId, StepEvent e);
    Task EpochCompleted(string runId, EpochEvent e);
    Task AnalysisReported(string runId, AnalysisEvent e);
    Task CheckpointSaved(string runId, CheckpointEvent e);
    Task RunFinished(string runId, RunFinishedEvent e);
}

/// <summary>Where the runs hub is mapped, and how its groups are named, so server and clients agree.</summary>
public static class RunsHubRoutes
{
    public const string Path = "/hubs/runs";

    /// <summary>The SignalR group whose members receive one run's events.</summary>
    public static string RunGroup(string runId) => $"run:{runId}";
}
