using Tracker.Shared;

namespace Tracker.Web.Data;

/// <summary>
/// One training run. <see cref="Config"/> is the whole reproducible config; name, method, model, dataset
/// and tags are copied out of it into columns so lists can filter and sort without parsing JSON.
/// Times are UTC.
/// </summary>
public sealed partial class Run
{
    public long Id { get; set; }
    public long ProjectId { get; set; }
    public Project? Project { get; set; }

    public required string Name { get; set; }
    /// <summary>Stored as JSON text written by <see cref="RunConfigJson"/>.</summary>
    public required RunConfig Config { get; set; }
    /// <summary>The paper's label for the config, from <see cref="Methods.Describe"/>.</summary>
    public required string Method { get; set; }
    public required string Model { get; set; }
    public required string Dataset { get; set; }

    public RunStatus Status { get; set; }
    public string? Owner { get; set; }
    public List<string> Tags { get; set; } = [];
    public string? Notes { get; set; }
    /// <summary>The run whose checkpoint this one was fine-tuned from.</summary>
    public long? ParentRunId { get; set; }
    public Run? ParentRun { get; set; }
    /// <summary>Groups the runs one sweep created.</summary>
    public string? SweepId { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    /// <summary>Why the run failed or diverged; null otherwise.</summary>
    public string? Error { get; set; }
    public int EpochsCompleted { get; set; }
    /// <summary>
    /// The highest sequence number of the run's events stored, every one before it stored too: what the store
    /// acknowledges, where a resumed run's events continue, and where a catching-up reader stops.
    /// </summary>
    public long StoredSeq { get; set; }
    /// <summary>Fraction of the planned epochs done, 0 to 1 (<see cref="RunStatuses.Progress"/>).</summary>
    public double Progress { get; set; }

    /// <summary>Logged by a script through the ingest API (the Python client), not trained by the queue: it has no job.</summary>
    public bool LoggedByScript { get; set; }
    /// <summary>
    /// A script run's config as the script sent it (a JSON object of any shape); <see cref="Config"/> then holds only
    /// the known fields that were present and valid, over defaults. Null for queued runs.
    /// </summary>
    public string? ScriptConfig { get; set; }
    /// <summary>
    /// The key a script chose for its run (the Python client sends a uuid4 with every try of the create), unique per
    /// owner: a create that names it again gets this run back instead of a second one. Null for queued runs.
    /// </summary>
    public string? ClientKey { get; set; }

    /// <summary>When the run was archived: left out of run lists unless they ask for archived runs; null when not archived.</summary>
    public DateTime? ArchivedAt { get; set; }
    /// <summary>
    /// When the run was moved to the trash; null when it is not there. A trashed run is hidden from every query (the
    /// model's query filter) except the trash's own, until it is restored or the trash is emptied (docs/decisions/0058).
    /// </summary>
    public DateTime? DeletedAt { get; set; }

    /// <summary>The config's <c>parentRunId</c> as this tracker's run id; null when absent or not a number (the queue refuses those).</summary>
    public static long? ParentIdOf(RunConfig config) =>
        long.TryParse(config.ParentRunId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : null;

    /// <summary>A queued run of <paramref name="config"/>, its listed columns filled from the config.</summary>
    public static Run FromConfig(RunConfig config, Project project, DateTime createdAt)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(project);
        return new Run
        {
            Project = project,
            ProjectId = project.Id,
            Name = config.Name,
            Config = config,
            Method = Methods.Describe(config),
            Model = config.Model,
            Dataset = config.Dataset,
            Tags = [.. config.Tags],
            ParentRunId = ParentIdOf(config),
            Status = RunStatus.Queued,
            CreatedAt = createdAt,
        }.WithConfigColumns(config);
    }
}

public enum RunStatus
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
    /// <summary>The loss became NaN or infinite and training stopped.</summary>
    Diverged,
}

/// <summary>The one place that turns a trainer's outcome into a run status, and says which statuses can still change.</summary>
public static class RunStatuses
{
    /// <summary>The status a run ends in; a cancel request already recorded (<paramref name="current"/>) wins over any outcome.</summary>
    public static RunStatus FromOutcome(RunOutcome outcome, RunStatus? current = null) =>
        current == RunStatus.Cancelled ? RunStatus.Cancelled : outcome switch
        {
            RunOutcome.Succeeded => RunStatus.Succeeded,
            RunOutcome.Cancelled => RunStatus.Cancelled,
            RunOutcome.Diverged => RunStatus.Diverged,
            _ => RunStatus.Failed,
        };

    /// <summary>Queued or running: the run can still change (train, finish, be cancelled).</summary>
    public static bool IsActive(this RunStatus status) => status is RunStatus.Queued or RunStatus.Running;

    /// <summary>Failed, cancelled or diverged: a run worth running again.</summary>
    public static bool CanRetry(this RunStatus status) => status is RunStatus.Failed or RunStatus.Cancelled or RunStatus.Diverged;

    /// <summary>Epochs done over epochs planned, 0 to 1; a succeeded run is whole even when it stopped early.</summary>
    public static double Progress(int epochsCompleted, int epochsPlanned, RunStatus? status = null) =>
        status == RunStatus.Succeeded ? 1 : Math.Clamp((double)epochsCompleted / Math.Max(epochsPlanned, 1), 0, 1);
}
