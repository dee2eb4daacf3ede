using System.ComponentModel.DataAnnotations;

namespace Tracker.Web.Jobs;

/// <summary>The in-process training workers and their leases. Bound from the "Jobs" section and checked at boot.</summary>
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
