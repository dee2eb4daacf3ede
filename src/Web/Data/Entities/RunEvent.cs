namespace Tracker.Web.Data;

/// <summary>
/// One training event of a run as it was stored, under its sequence number: the log a client that reconnects reads
/// from (<c>JoinRunAfter</c>, <c>GET /api/runs/{id}/events?after=</c>) and other app instances publish from. Metric
/// points and summaries are derived from the same events in the same transaction.
/// </summary>
public sealed class RunEvent
{
    public long RunId { get; set; }
    /// <summary>The event's number within its run (<see cref="Shared.TrainingEvent.Seq"/>); with the run id, the key.</summary>
    public long Seq { get; set; }
    /// <summary>The event's "type" discriminator (<see cref="Shared.TrainingEventTypes"/>).</summary>
    public required string Type { get; set; }
    /// <summary>The whole event as JSON (<see cref="Shared.TrackerJson.Options"/>), "type" and "seq" included.</summary>
    public required string Payload { get; set; }
    /// <summary>When the trainer produced it (UTC).</summary>
    public DateTime Time { get; set; }
}
