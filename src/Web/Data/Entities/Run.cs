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
    /// <summary>Fraction of the planned optimizer steps done, 0 to 1.</summary>
    public double Progress { get; set; }

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
