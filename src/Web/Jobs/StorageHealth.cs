using Tracker.Web.Data;

namespace Tracker.Web.Jobs;

/// <summary>The store refuses writes: since when, the database's own words, and whether its disk is full.</summary>
public sealed record StorageProblem(DateTime Since, string Message, bool DiskFull)
{
    /// <summary>What the pages call the problem.</summary>
    public string Headline => DiskFull ? "Storage unavailable: disk full" : "Storage unavailable: the database refuses writes";

    /// <summary>When the pending events go in.</summary>
    public string WrittenWhen => DiskFull ? "when space returns" : "when the database is back";
}

/// <summary>
/// Whether this instance can store events right now, for the pages: the run page shows the storage error while a
/// run's events wait for the database, and clears it when they are stored again. Written by the event sinks.
/// </summary>
public sealed class StorageHealth(TimeProvider time)
{
    private readonly Lock _gate = new();
    private StorageProblem? _problem;

    /// <summary>The current problem; null while writes succeed.</summary>
    public StorageProblem? Problem
    {
        get
        {
            lock (_gate) return _problem;
        }
    }

    /// <summary>Raised when a problem starts or ends (on the writer's thread).</summary>
    public event Action? Changed;

    public void ReportFailure(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        lock (_gate)
        {
            if (_problem is not null && _problem.Message == error.Message) return;
            _problem = new StorageProblem(_problem?.Since ?? time.GetUtcNow().UtcDateTime, error.Message, StorageErrors.IsDiskFull(error));
        }
        Changed?.Invoke();
    }

    public void ReportSuccess()
    {
        lock (_gate)
        {
            if (_problem is null) return;
            _problem = null;
        }
        Changed?.Invoke();
    }
}
