using Tracker.Shared;

namespace Tracker.Web.Data;

/// <summary>
/// A remote training worker (<c>tracker-worker</c>) known to this server: what it advertised when it registered and
/// when it was last heard from. The runs it holds are the jobs leased to <see cref="LeaseOwner"/>. Times are UTC.
/// </summary>
public sealed class Worker
{
    public long Id { get; set; }
    /// <summary>Unique: a worker that registers again under its name (a restart) is the same worker.</summary>
    public string Name { get; set; } = "";
    public string Host { get; set; } = "";
    /// <summary>What it trains on, e.g. "cpu" or "cuda:0", in the order it advertised them.</summary>
    public List<string> Devices { get; set; } = [];
    /// <summary>Runs it trains at once.</summary>
    public int Slots { get; set; }
    public WorkerState State { get; set; }
    public string? Version { get; set; }
    /// <summary>The user whose worker token registered it; only that user's worker tokens speak for it.</summary>
    public long OwnerUserId { get; set; }
    public DateTime RegisteredAt { get; set; }
    public DateTime LastHeartbeatAt { get; set; }

    /// <summary>How its leases are written in <see cref="Job.LeaseOwner"/>; never the form a local worker's lease takes ("instance/pid@start/n").</summary>
    public string LeaseOwner => LeaseOwnerOf(Id);

    public static string LeaseOwnerOf(long workerId) => $"worker:{workerId.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}
