using System.Globalization;
using Microsoft.Extensions.Options;
using Tracker.Training.Engine;

namespace Tracker.Web.Jobs;

/// <summary>
/// Where the workers keep each run's checkpoint: <c>{RunsDirectory}/{runId}/checkpoint.bin</c>, overwritten every epoch,
/// so a finished run's file holds its final weights. Fine-tuning reads a parent's weights from here.
/// </summary>
public sealed class RunCheckpoints(IOptions<JobsOptions> options, IHostEnvironment environment)
{
    public string DirectoryOf(long runId) =>
        Path.Combine(options.Value.ResolveRunsDirectory(environment.ContentRootPath), runId.ToString(CultureInfo.InvariantCulture));

    public string PathOf(long runId) => Path.Combine(DirectoryOf(runId), Checkpoint.FileName);

    public bool Exists(long runId) => File.Exists(PathOf(runId));

    /// <summary>
    /// The parent's final checkpoint for a fine-tune config's <c>parentRunId</c>, or why there is none.
    /// The run's status is checked at submit; here only the file can be missing (deleted, or another machine's runs folder).
    /// </summary>
    public (string? Path, string? Problem) ResolveParent(string parentRunId)
    {
        if (!long.TryParse(parentRunId, NumberStyles.None, CultureInfo.InvariantCulture, out var parentId))
            return (null, $"The parent run '{parentRunId}' is not a run id of this tracker.");
        var path = PathOf(parentId);
        return File.Exists(path) ? (path, null) : (null, $"The parent run {parentId} has no checkpoint at '{path}' to fine-tune from.");
    }
}
