using Microsoft.EntityFrameworkCore;
using Tracker.Web.Data;

namespace Tracker.Web.Jobs;

/// <summary>
/// The queue's check of fine-tune configs: <c>parentRunId</c> must name a run of this tracker that succeeded, since only a
/// finished run's checkpoint holds its final weights. Checked at submit so the form shows it at the field.
/// </summary>
public static class FineTuneParents
{
    public static async Task<List<SweepFieldError>> CheckAsync(TrackerDbContext context, IReadOnlyList<Shared.RunConfig> configs,
        CancellationToken cancellationToken)
    {
        var errors = new List<SweepFieldError>();
        var wanted = configs.Select(Run.ParentIdOf).OfType<long>().Distinct().ToList();
        var statuses = wanted.Count == 0
            ? []
            : await context.Runs.AsNoTracking().Where(r => wanted.Contains(r.Id)).ToDictionaryAsync(r => r.Id, r => r.Status, cancellationToken);
        for (var index = 0; index < configs.Count; index++)
        {
            if (configs[index].ParentRunId is not { } parent || string.IsNullOrWhiteSpace(parent)) continue;
            string? problem = Run.ParentIdOf(configs[index]) is not { } parentId
                ? $"'{parent}' is not a run id: give the number of a finished run of this tracker."
                : !statuses.TryGetValue(parentId, out var status)
                    ? $"There is no run {parentId} to fine-tune from."
                    : status != RunStatus.Succeeded
                        ? $"Run {parentId} is {status.ToString().ToLowerInvariant()}; only a succeeded run has final weights to fine-tune from."
                        : null;
            if (problem is not null) errors.Add(new SweepFieldError(index, new Shared.FieldError("parentRunId", problem)));
        }
        return errors;
    }
}
