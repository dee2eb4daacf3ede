namespace Tracker.Web.Jobs;

/// <summary>The store refuses writes: since when, and the database's own words.</summary>
public sealed record StorageProblem(DateTime Since, string Message);

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
            _problem = new StorageProblem(_problem?.Since ?? time.GetUtcNow().UtcDateTime, error.Message);
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
