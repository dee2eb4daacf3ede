using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Tracker.Web.Features.Compare;
using Tracker.Web.Data;
using Tracker.Web.Features.Paper;
using Tracker.Web.Data.Configuration;

namespace Tracker.Web.Features.Sharing;

/// <summary>A link just made: the only time its token is known, since the database keeps its hash alone.</summary>
public sealed record CreatedShareLink(long Id, string Token, ShareTargetKind Kind, string Target, DateTime CreatedAt, DateTime? ExpiresAt);

/// <summary>A made link as listed later, without its token.</summary>
public sealed record ShareLinkInfo(long Id, ShareTargetKind Kind, string Target, DateTime CreatedAt, DateTime? ExpiresAt, DateTime? RevokedAt, bool Active);

/// <summary>What a valid token opens.</summary>
public sealed record ShareTarget(long LinkId, ShareTargetKind Kind, string Target, DateTime? ExpiresAt);

/// <summary>Either the new link or, when the request was not acceptable, why (a sentence for the user).</summary>
public sealed record ShareCreation(CreatedShareLink? Link, string? Error);

/// <summary>
/// Read-only share links (<c>/s/{token}</c>): a random 128-bit token, given out once and stored only as its SHA-256,
/// an optional expiry, and revocation. A token opens exactly its target and nothing else.
/// </summary>
public sealed class ShareLinks(IDbContextFactory<TrackerDbContext> contexts, TimeProvider clock)
{
    public const int TokenBytes = 16;
    /// <summary>Base64url of 16 bytes, without padding.</summary>
    public const int TokenLength = 22;
    public const int MaxExpiryDays = 3650;

    public static string NewToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(TokenBytes));

    /// <summary>Lower-case hex SHA-256 of the token's text: what the database keeps.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>A token as <see cref="NewToken"/> makes them; anything else is refused without asking the database.</summary>
    public static bool LooksLikeToken(string? token) =>
        token is { Length: TokenLength } && Base64Url.IsValid(token, out var bytes) && bytes == TokenBytes;

    /// <summary>
    /// The target as stored: a comparison's query in its canonical form (so the same view always lists the same links),
    /// a run id without leading zeros, other ids trimmed; or why the target is not one.
    /// </summary>
    public static (string? Target, string? Error) Normalize(ShareTargetKind kind, string? target)
    {
        target = target?.Trim() ?? "";
        if (target.Length == 0) return (null, "The target is empty.");
        string normalized;
        switch (kind)
        {
            case ShareTargetKind.Run:
                if (!long.TryParse(target, NumberStyles.None, CultureInfo.InvariantCulture, out var runId) || runId <= 0)
                    return (null, $"A run link's target is a run id; '{target}' is not one.");
                normalized = runId.ToString(CultureInfo.InvariantCulture);
                break;
            case ShareTargetKind.Comparison:
                var state = CompareState.FromQuery(target);
                if (state.Problems.Count > 0) return (null, string.Join(' ', state.Problems));
                if (state.Runs.Count == 0) return (null, "A comparison link's target must name its runs (runs=1,2).");
                normalized = state.ToQuery();
                break;
            case ShareTargetKind.Sweep:
                normalized = target;
                break;
            case ShareTargetKind.PaperTable:
                if (!PaperPresets.IsTableId(target)) return (null, $"The paper page has no table '{target}'.");
                normalized = target;
                break;
            default:
                return (null, $"Unknown kind of link: {kind}.");
        }
        return normalized.Length > Limits.ShareTarget ? (null, $"The target is longer than {Limits.ShareTarget} characters.") : (normalized, null);
    }

    public async Task<ShareCreation> CreateAsync(ShareTargetKind kind, string? target, int? expiresInDays, CancellationToken cancellationToken = default,
        string? createdBy = null)
    {
        var (normalized, error) = Normalize(kind, target);
        if (normalized is null) return new ShareCreation(null, error);
        if (expiresInDays is < 1 or > MaxExpiryDays) return new ShareCreation(null, $"The expiry must be 1 to {MaxExpiryDays} days, or none.");

        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        if (await MissingAsync(context, kind, normalized, cancellationToken) is { } missing) return new ShareCreation(null, missing);
        var now = clock.GetUtcNow().UtcDateTime;
        var token = NewToken();
        var link = new ShareLink
        {
            TokenHash = Hash(token), TargetKind = kind, Target = normalized, CreatedAt = now,
            ExpiresAt = expiresInDays is { } days ? now.AddDays(days) : null, CreatedBy = createdBy,
        };
        context.ShareLinks.Add(link);
        await context.SaveChangesAsync(cancellationToken);
        return new ShareCreation(new CreatedShareLink(link.Id, token, kind, normalized, now, link.ExpiresAt), null);
    }

    /// <summary>What the token opens now; null for a malformed, unknown, expired or revoked token.</summary>
    public Task<ShareTarget?> ResolveAsync(string? token, CancellationToken cancellationToken = default) =>
        ResolveAsync(token, clock.GetUtcNow().UtcDateTime, cancellationToken);

    public async Task<ShareTarget?> ResolveAsync(string? token, DateTime now, CancellationToken cancellationToken = default)
    {
        if (!LooksLikeToken(token)) return null;
        var hash = Hash(token!);
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var link = await context.ShareLinks.AsNoTracking().FirstOrDefaultAsync(l => l.TokenHash == hash, cancellationToken);
        return link is not null && link.IsActiveAt(now) ? new ShareTarget(link.Id, link.TargetKind, link.Target, link.ExpiresAt) : null;
    }

    /// <summary>Revokes a link for good; false when there is no such link. Revoking twice keeps the first time.</summary>
    public async Task<bool> RevokeAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var link = await context.ShareLinks.FirstOrDefaultAsync(l => l.Id == id, cancellationToken);
        if (link is null) return false;
        link.RevokedAt ??= clock.GetUtcNow().UtcDateTime;
        await context.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>Whether the link exists and who made it (null: before accounts, so admins only may revoke it).</summary>
    public async Task<(bool Found, string? CreatedBy)> CreatorOfAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var link = await context.ShareLinks.AsNoTracking().Where(l => l.Id == id).Select(l => new { l.CreatedBy }).FirstOrDefaultAsync(cancellationToken);
        return (link is not null, link?.CreatedBy);
    }

    /// <summary>The links made for one target (normalized as on creation), newest first.</summary>
    public async Task<IReadOnlyList<ShareLinkInfo>> ListAsync(ShareTargetKind kind, string? target, CancellationToken cancellationToken = default)
    {
        var (normalized, _) = Normalize(kind, target);
        if (normalized is null) return [];
        var now = clock.GetUtcNow().UtcDateTime;
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var links = await context.ShareLinks.AsNoTracking().Where(l => l.TargetKind == kind && l.Target == normalized)
            .OrderByDescending(l => l.Id).ToListAsync(cancellationToken);
        return links.Select(l => new ShareLinkInfo(l.Id, l.TargetKind, l.Target, l.CreatedAt, l.ExpiresAt, l.RevokedAt, l.IsActiveAt(now))).ToList();
    }

    /// <summary>Why the target cannot be shared because it does not exist; null when it does (or cannot be checked here).</summary>
    private static async Task<string?> MissingAsync(TrackerDbContext context, ShareTargetKind kind, string target, CancellationToken cancellationToken)
    {
        switch (kind)
        {
            case ShareTargetKind.Run:
                var runId = long.Parse(target, CultureInfo.InvariantCulture);
                return await context.Runs.AnyAsync(r => r.Id == runId, cancellationToken) ? null : $"There is no run {runId}.";
            case ShareTargetKind.Comparison:
                var ids = CompareState.FromQuery(target).Runs.ToList();
                var found = await context.Runs.Where(r => ids.Contains(r.Id)).Select(r => r.Id).ToListAsync(cancellationToken);
                var missing = ids.Except(found).ToList();
                return missing.Count == 0 ? null : $"No such runs: {string.Join(", ", missing)}.";
            case ShareTargetKind.Sweep:
                return await context.Runs.AnyAsync(r => r.SweepId == target, cancellationToken) ? null : $"There is no sweep {target}.";
            default:
                return null;
        }
    }
}
