using Microsoft.AspNetCore.SignalR;
using Tracker.Shared;
using Tracker.Web.Security;

namespace Tracker.Web.Realtime;

/// <summary>
/// The SignalR hub for external clients (scripts, remote dashboards): it only joins and leaves a run's group, and
/// replays what a reconnecting client missed. Events reach the group through <see cref="RunEventFeed"/>.
/// A run id may come as a number or as its text (<see cref="RunsHubRoutes.ParseRunId"/>).
/// </summary>
public sealed class RunsHub(RunEventFeed feed) : Hub<IRunsClient>
{
    /// <summary>The run's events from now on.</summary>
    public Task JoinRun(object runId)
    {
        EnsureReader();
        return Groups.AddToGroupAsync(Context.ConnectionId, RunsHubRoutes.RunGroup(Checked(runId)));
    }

    /// <summary>The run's stored events after <paramref name="afterSeq"/> (0: from the start), then the live ones.</summary>
    public Task JoinRunAfter(object runId, long afterSeq)
    {
        EnsureReader();
        return afterSeq < 0
            ? throw new HubException($"afterSeq must be 0 or more; got {afterSeq}.")
            : feed.JoinAsync(Context.ConnectionId, Checked(runId), afterSeq, Context.ConnectionAborted);
    }

    /// <summary>Every reader may read every run; a caller who cannot read (a worker token) is refused here too.</summary>
    private void EnsureReader()
    {
        if (Context.User is not { } user || !AccessHandler.Allows(user, Access.Read)) throw new HubException("You may not read runs.");
    }

    public Task LeaveRun(object runId) => Groups.RemoveFromGroupAsync(Context.ConnectionId, RunsHubRoutes.RunGroup(Checked(runId)));

    private static long Checked(object runId) =>
        RunsHubRoutes.ParseRunId(runId) is { } id && id > 0
            ? id
            : throw new HubException($"A run id is a positive whole number, as a number or a string (e.g. 6 or \"6\"); got {Describe(runId)}.");

    private static string Describe(object? runId) => runId switch
    {
        null => "nothing",
        System.Text.Json.JsonElement element => element.GetRawText(),
        _ => runId.ToString() ?? "nothing",
    };
}
