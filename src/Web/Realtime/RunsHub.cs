using Microsoft.AspNetCore.SignalR;
using Tracker.Shared;
using Tracker.Web.Security;

namespace Tracker.Web.Realtime;

/// <summary>
/// The SignalR hub for external clients (scripts, remote dashboards): it only joins and leaves
/// a run's group. Events reach the group through <see cref="RunEventPublisher"/>.
/// </summary>
public sealed class RunsHub : Hub<IRunsClient>
{
    private const int MaxRunIdLength = 100;

    /// <summary>Every reader may read every run; a caller who cannot read (a worker token) is refused here too.</summary>
    public Task JoinRun(string runId) =>
        Context.User is { } user && AccessHandler.Allows(user, Access.Read)
            ? Groups.AddToGroupAsync(Context.ConnectionId, RunsHubRoutes.RunGroup(Checked(runId)))
            : throw new HubException("You may not read runs.");

    public Task LeaveRun(string runId) => Groups.RemoveFromGroupAsync(Context.ConnectionId, RunsHubRoutes.RunGroup(Checked(runId)));

    private static string Checked(string runId) =>
        !string.IsNullOrWhiteSpace(runId) && runId.Length <= MaxRunIdLength
            ? runId
            : throw new HubException($"A run id must be 1 to {MaxRunIdLength} characters.");
}
