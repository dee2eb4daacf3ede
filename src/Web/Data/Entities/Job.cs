namespace Tracker.Web.Data;

/// <summary>
/// A run's entry in the durable queue. A worker claims it with a lease that it renews by heartbeats;
/// a lease that expires puts the job back in the queue, and the run resumes from its last checkpoint.
/// Times are UTC.
/// </summary>
public sealed class Job
{
    public long Id { get; set; }
    public long RunId { get; set; }
    public Run? Run { get; set; }
    /// <summary>Higher runs first; equal priorities run in the order they were enqueued.</summary>
    public int Priority { get; set; }
    public JobState State { get; set; }
    /// <summary>Times a worker has claimed the job.</summary>
    public int Attempts { get; set; }
    public string? LeaseOwner { get; set; }
    public DateTime? LeaseExpiresAt { get; set; }
    public DateTime? HeartbeatAt { get; set; }
    public DateTime EnqueuedAt { get; set; }
}

public enum JobState
{
    Queued,
    /// <summary>A worker holds the lease and runs it.</summary>
    Leased,
    /// <summary>Done for good; how it ended is the run's status.</summary>
    Finished,
}
