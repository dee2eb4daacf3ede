using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Tracker.Web.Data;

namespace Tracker.Web.Security;

/// <summary>One audit entry as listed.</summary>
public sealed record AuditItem(long Id, DateTime At, string? Actor, string Action, string? Target, string? Detail);

/// <summary>Records who did what to which target; admins read it at /admin/audit and GET /api/audit.</summary>
public sealed class AuditLog(IDbContextFactory<TrackerDbContext> contexts, TimeProvider clock, ILogger<AuditLog> logger)
{
    public const int MaxPageSize = 500;

    public Task RecordAsync(ClaimsPrincipal? actor, string action, string? target, string? detail = null, CancellationToken cancellationToken = default) =>
        RecordAsync(actor is null ? null : TrackerClaims.NameOf(actor), action, target, detail, cancellationToken);

    public async Task RecordAsync(string? actor, string action, string? target, string? detail = null, CancellationToken cancellationToken = default)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        context.AuditEntries.Add(new AuditEntry
        {
            At = clock.GetUtcNow().UtcDateTime, Actor = Truncate(actor, 200), Action = action, Target = Truncate(target, 2000), Detail = detail,
        });
        await context.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Audit: {Actor} {Action} {Target}", actor ?? "(anonymous)", action, target);
    }

    /// <summary>The newest entries first; <paramref name="beforeId"/> pages back.</summary>
    public async Task<IReadOnlyList<AuditItem>> ListAsync(int take, long? beforeId = null, CancellationToken cancellationToken = default)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        return await context.AuditEntries.AsNoTracking()
            .Where(e => beforeId == null || e.Id < beforeId)
            .OrderByDescending(e => e.Id).Take(Math.Clamp(take, 1, MaxPageSize))
            .Select(e => new AuditItem(e.Id, e.At, e.Actor, e.Action, e.Target, e.Detail))
            .ToListAsync(cancellationToken);
    }

    private static string? Truncate(string? value, int length) => value is null || value.Length <= length ? value : value[..length];
}
