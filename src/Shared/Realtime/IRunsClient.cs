using System.Globalization;
using System.Text.Json;

namespace Tracker.Shared;

/// <summary>
/// The typed SignalR client of the runs hub (<c>Hub&lt;IRunsClient&gt;</c>, <c>IHubContext&lt;RunsHub, IRunsClient&gt;</c>):
/// what subscribers of a run's group receive. Each method name is the message name on the wire; every event carries
/// its run's sequence number (<see cref="TrainingEvent.Seq"/>), which a client that reconnects passes to
/// <see cref="RunsHubRoutes.JoinRunAfter"/>.
/// </summary>
public interface IRunsClient
{
    Task RunStarted(long runId, RunStartedEvent e);
    Task StepReported(long runId, StepEvent e);
    Task EpochCompleted(long runId, EpochEvent e);
    Task AnalysisReported(long runId, AnalysisEvent e);
    Task CheckpointSaved(long runId, CheckpointEvent e);
    Task RunFinished(long runId, RunFinishedEvent e);
    /// <summary>A batch of points a script logged (<see cref="PointsEvent"/>).</summary>
    Task PointsLogged(long runId, PointsEvent e);
}

/// <summary>Where the runs hub is mapped, its methods, and how its groups are named, so server and clients agree.</summary>
public static class RunsHubRoutes
{
    public const string Path = "/hubs/runs";

    /// <summary><c>JoinRun(runId)</c>: the run's events from now on.</summary>
    public const string JoinRun = "JoinRun";

    /// <summary>
    /// <c>JoinRunAfter(runId, afterSeq)</c>: first the stored events after <c>afterSeq</c> (0 = all of them), then the
    /// live ones, without a gap or a duplicate. A client that reconnects passes the last sequence number it saw.
    /// </summary>
    public const string JoinRunAfter = "JoinRunAfter";

    /// <summary><c>LeaveRun(runId)</c>.</summary>
    public const string LeaveRun = "LeaveRun";

    /// <summary>The SignalR group whose members receive one run's events.</summary>
    public static string RunGroup(long runId) => $"run:{runId.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// A run id as a hub client sent it: a number (<c>JoinRun(6)</c>) or its text (<c>JoinRun("6")</c>), over JSON
    /// (a <see cref="JsonElement"/>) or MessagePack (a boxed integer or a string). Null when it is neither.
    /// </summary>
    public static long? ParseRunId(object? runId) => runId switch
    {
        long value => value,
        int value => value,
        uint value => value,
        ulong value when value <= long.MaxValue => (long)value,
        short value => value,
        ushort value => value,
        byte value => value,
        sbyte value => value,
        string text => ParseText(text),
        JsonElement { ValueKind: JsonValueKind.Number } number when number.TryGetInt64(out var value) => value,
        JsonElement { ValueKind: JsonValueKind.String } text => ParseText(text.GetString()),
        _ => null,
    };

    private static long? ParseText(string? text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
}
