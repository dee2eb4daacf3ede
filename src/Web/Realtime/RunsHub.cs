using Microsoft.AspNetCore.SignalR;
using Tracker.Shared;

namespace Tracker.Web.Realtime;

/// <summary>
/// The SignalR hub for external clients (scripts, remote dashboards): it only joins and leaves a run's group, and
/// replays what a reconnecting client missed. Events reach the group through <see cref="RunEventFeed"/>.
/// A run id may come as a number or as its text (<see cref="RunsHubRoutes.ParseRunId"/>).
/// </summary>
public sealed class RunsHub(RunEventFeed feed) : Hub<IRunsClient>
{
    /// <summary>The run's events from now on.</summary>
    public Task JoinRun(object runId) => Groups.AddToGroupAsync(Context.ConnectionId, RunsHubRoutes.RunGroup(Checked(runId)));

    /// <summary>The run's stored events after <paramref name="afterSeq"/> (0: from the start), then the live ones.</summary>
    public Task JoinRunAfter(object runId, long afterSeq) =>
        afterSeq < 0
            ? throw new HubException($"afterSeq must be 0 or more; got {afterSeq}.")
            : feed.JoinAsync(Context.ConnectionId, Checked(runId), afterSeq, Context.ConnectionAborted);

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
