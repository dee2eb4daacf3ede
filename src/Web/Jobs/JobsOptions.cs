using System.ComponentModel.DataAnnotations;

namespace Tracker.Web.Jobs;

/// <summary>The app's training workers, their child processes and their leases. Bound from the "Jobs" section and checked at boot.</summary>
public sealed class JobsOptions : IValidatableObject
{
    public const string SectionName = "Jobs";

    /// <summary>Jobs trained at once; one per device, so 1 by default. 0 = this instance only queues.</summary>
    [Range(0, 64)]
    public int Workers { get; set; } = 1;

    /// <summary>How long a claim lasts without a heartbeat; after that the job is requeued.</summary>
    [Range(0.1, 86400)]
    public double LeaseSeconds { get; set; } = 60;

    /// <summary>How often a worker renews its lease and looks for a cancel request from another process.</summary>
    [Range(0.05, 3600)]
    public double HeartbeatSeconds { get; set; } = 10;

    /// <summary>How long an idle worker waits before looking at the queue again.</summary>
    [Range(0.05, 3600)]
    public double PollSeconds { get; set; } = 1;

    /// <summary>
    /// Events a run may produce ahead of the store: while the database is down they wait here, and when this many
    /// wait, training waits too (back-pressure) instead of dropping any.
    /// </summary>
    [Range(100, 10_000_000)]
    public int EventBuffer { get; set; } = 20_000;

    /// <summary>
    /// How long a run's events may fail to store (retried with backoff meanwhile) before the run is paused: it goes
    /// back to the queue with the reason and resumes from its last checkpoint whose events are all stored.
    /// </summary>
    [Range(1, 86400)]
    public double StoreOutageSeconds { get; set; } = 120;

    /// <summary>
    /// This instance's name in the leases it takes (default: the machine name). A restarted instance with the same
    /// name requeues at once the leases its previous process held, instead of waiting for them to expire; give each
    /// instance that shares a database its own name where machine names repeat (containers).
    /// </summary>
    [MaxLength(100)]
    [RegularExpression(@"^[A-Za-z0-9._-]+$", ErrorMessage = "Jobs:InstanceId may hold letters, digits, '.', '_' and '-' only.")]
    public string? InstanceId { get; set; }

    /// <summary>
    /// Each run trains in a child process (tracker-train, supervised by its worker), so a native crash, an
    /// out-of-memory kill or a step that ignores cancel ends that run only. False trains on a thread of the app
    /// (tests of the worker's own logic; nothing else).
    /// </summary>
    public bool TrainInChildProcess { get; set; } = true;

    /// <summary>How long a training process may take to stop after it is asked to; then it is killed.</summary>
    [Range(0.1, 3600)]
    public double CancelGraceSeconds { get; set; } = 10;

    /// <summary>How many times a run whose training process crashed is requeued to resume from its last checkpoint before it is failed.</summary>
    [Range(0, 100)]
    public int CrashRetries { get; set; } = 1;

    /// <summary>Whether a run whose training process crashed on claim number <paramref name="attempt"/> goes back to the queue (else it fails).</summary>
    public bool RetriesAfterCrash(int attempt) => attempt <= CrashRetries;

    /// <summary>The run's error while it waits to be retried after a crash.</summary>
    public string CrashRetryReason(int attempt, string? error) =>
        $"Retrying from the last checkpoint (attempt {attempt} of {CrashRetries + 1} crashed): {error}";

    /// <summary>The engine's tracker-train.dll; default: the one beside the app.</summary>
    public string? EnginePath { get; set; }

    /// <summary>Checkpoints, one folder per run; a relative path is taken from the content root.</summary>
    [Required(AllowEmptyStrings = false)]
    public string RunsDirectory { get; set; } = "data/runs";

    public string ResolveRunsDirectory(string contentRootPath) => Path.GetFullPath(Path.Combine(contentRootPath, RunsDirectory));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // A lease that lapses between two heartbeats would requeue a job that is still training.
        if (HeartbeatSeconds * 2 > LeaseSeconds)
            yield return new ValidationResult(
                $"{SectionName}:HeartbeatSeconds ({HeartbeatSeconds}) must be at most half of {SectionName}:LeaseSeconds ({LeaseSeconds}).",
                [nameof(HeartbeatSeconds), nameof(LeaseSeconds)]);
    }
}
