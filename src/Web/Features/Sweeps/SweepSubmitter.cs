using Microsoft.EntityFrameworkCore;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Jobs;
using Tracker.Web.Security;
using System.Security.Claims;

namespace Tracker.Web.Features.Sweeps;

/// <summary>What <see cref="SweepSubmitter.SubmitAsync"/> did: the sweep and its runs, or the errors (nothing stored then).</summary>
public sealed record SweepSubmission(string? SweepId, IReadOnlyList<long> RunIds, IReadOnlyList<FieldError> Errors)
{
    public bool Succeeded => Errors.Count == 0;
}

/// <summary>
/// Queues a planned sweep: its <see cref="Sweep"/> row (what was searched, the early-stopping rule), then its runs
/// through <see cref="RunSubmission.SubmitSweepAsync"/>, which stores them all or none. The row goes first so a run never
/// starts without its sweep's rule; when the runs are refused the row is removed again, so nothing is left. The runs
/// belong to <c>user</c>, and a queued sweep is written to the audit log.
/// </summary>
public sealed class SweepSubmitter(IDbContextFactory<TrackerDbContext> contexts, RunSubmission queue, AuditLog audit, TimeProvider time)
{
    public async Task<SweepSubmission> SubmitAsync(PlannedSweep plan, ClaimsPrincipal? user, int priority = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var sweep = new Sweep
        {
            Id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8)),
            CreatedAt = time.GetUtcNow().UtcDateTime,
            Kind = plan.Kind,
            Definition = plan.Definition,
            EarlyStopMetric = plan.EarlyStop?.MetricKey,
            EarlyStopMinRuns = plan.EarlyStop?.MinimumCompletedRuns ?? 0,
            EarlyStopMinEpoch = plan.EarlyStop?.MinimumEpoch ?? 0,
        };
        await using (var context = await contexts.CreateDbContextAsync(cancellationToken))
        {
            context.Sweeps.Add(sweep);
            await context.SaveChangesAsync(cancellationToken);
        }
        SweepSubmitResult result;
        try
        {
            result = await queue.SubmitSweepAsync(plan.Configs, sweep.Id, priority, owner: user is null ? null : TrackerClaims.NameOf(user), cancellationToken);
        }
        catch
        {
            await RemoveAsync(sweep.Id);
            throw;
        }
        if (result.Succeeded)
        {
            await audit.RecordAsync(user, AuditActions.Submit, $"sweep {sweep.Id}", $"{result.RunIds.Count} run(s), {plan.Kind}", cancellationToken);
            return new SweepSubmission(sweep.Id, result.RunIds, []);
        }
        await RemoveAsync(sweep.Id);
        return new SweepSubmission(null, [], result.Errors.Select(e => e.Error with { Field = "base." + e.Error.Field }).Distinct().ToList());
    }

    private async Task RemoveAsync(string sweepId)
    {
        await using var context = await contexts.CreateDbContextAsync(CancellationToken.None);
        await context.Sweeps.Where(s => s.Id == sweepId).ExecuteDeleteAsync(CancellationToken.None);
    }
}
