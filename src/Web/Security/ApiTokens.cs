using System.Buffers.Text;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Data.Configuration;

namespace Tracker.Web.Security;

/// <summary>A token just made: the only time its text is known, since the database keeps its hash alone.</summary>
public sealed record CreatedApiToken(long Id, string Name, TokenScope Scope, string Token, DateTime CreatedAt, DateTime? ExpiresAt);

/// <summary>A token as listed later, without its text.</summary>
public sealed record ApiTokenInfo(long Id, string UserName, string Name, TokenScope Scope, DateTime CreatedAt, DateTime? ExpiresAt,
    DateTime? LastUsedAt, DateTime? RevokedAt, bool Active);

/// <summary>
/// Personal API tokens: 256 random bits shown once, stored as their SHA-256 (a token is a key, not a password, so a fast
/// hash is enough: nobody can guess 2^256 candidates), optional expiry, revocation, last-used time.
/// </summary>
public sealed class ApiTokens(IDbContextFactory<TrackerDbContext> contexts, TimeProvider clock, ILogger<ApiTokens> logger)
{
    public const string Prefix = "trk_";
    public const int MaxExpiryDays = 3650;
    public const int MinBootstrapTokenLength = 32;
    /// <summary>Last-used times are written at most this often per token, so a busy script does not write on every request.</summary>
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public static string NewToken() => Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Why a token cannot be made with these values, naming the field; null when it can.</summary>
    public static (string Field, string Message)? Problem(string? name, int? expiresInDays)
    {
        if (string.IsNullOrWhiteSpace(name)) return ("name", "Give the token a name.");
        if (name.Length > Limits.Name) return ("name", $"A token's name has at most {Limits.Name} characters.");
        if (InputRules.HasControlCharacter(name)) return ("name", InputRules.ControlCharacterMessage);
        if (expiresInDays is < 1 or > MaxExpiryDays) return ("expiresInDays", $"The expiry must be 1 to {MaxExpiryDays} days, or none.");
        return null;
    }

    /// <summary>Makes a token for <paramref name="userId"/>; <paramref name="token"/> is used as given (the bootstrap token) or made.</summary>
    public async Task<CreatedApiToken> CreateAsync(long userId, string name, TokenScope scope, int? expiresInDays, string? token = null,
        CancellationToken cancellationToken = default)
    {
        if (Problem(name, expiresInDays) is { } problem) throw new ArgumentException(problem.Message, problem.Field);
        token ??= NewToken();
        var now = Now;
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var stored = new ApiToken
        {
            UserId = userId, Name = name.Trim(), Scope = scope, TokenHash = Hash(token), CreatedAt = now,
            ExpiresAt = expiresInDays is { } days ? now.AddDays(days) : null,
        };
        context.ApiTokens.Add(stored);
        await context.SaveChangesAsync(cancellationToken);
        return new CreatedApiToken(stored.Id, stored.Name, scope, token, now, stored.ExpiresAt);
    }

    /// <summary>The principal a token stands for: its owner's name, id and role, and the token's scope. Null when it opens nothing.</summary>
    public async Task<ClaimsPrincipal?> AuthenticateAsync(string token, string authenticationType, CancellationToken cancellationToken = default)
    {
        if (token.Length is 0 or > 200) return null;
        var hash = Hash(token);
        var now = Now;
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var found = await context.ApiTokens.AsNoTracking().Where(t => t.TokenHash == hash)
            .Select(t => new { t.Id, t.Scope, t.ExpiresAt, t.RevokedAt, t.LastUsedAt, t.UserId, t.User!.UserName, t.User.Disabled, t.User.SecurityStamp })
            .FirstOrDefaultAsync(cancellationToken);
        if (found is null || found.Disabled || found.RevokedAt is not null || found.ExpiresAt <= now) return null;
        var roles = await (from userRole in context.UserRoles
                           join role in context.Roles on userRole.RoleId equals role.Id
                           where userRole.UserId == found.UserId
                           select role.Name).ToListAsync(cancellationToken);
        if (found.LastUsedAt is null || now - found.LastUsedAt > LastUsedResolution)
        {
            try
            {
                await context.ApiTokens.Where(t => t.Id == found.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), cancellationToken);
            }
            catch (Exception ex) when (StorageErrors.IsStorageError(ex))
            {
                // Bookkeeping only: on a full disk the token still opens what it opens (reads, and the 507 of a write).
                logger.LogWarning(ex, "The last-used time of API token {TokenId} could not be written", found.Id);
            }
        }

        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, found.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, found.UserName ?? ""),
            new(TrackerClaims.Scope, found.Scope.ToString().ToLowerInvariant()),
        };
        claims.AddRange(roles.Where(r => r is not null).Select(r => new Claim(ClaimTypes.Role, r!)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType, ClaimTypes.Name, ClaimTypes.Role));
    }

    /// <summary>The tokens of one user, or of everyone (<paramref name="userId"/> null), newest first.</summary>
    public async Task<IReadOnlyList<ApiTokenInfo>> ListAsync(long? userId, CancellationToken cancellationToken = default)
    {
        var now = Now;
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var tokens = await context.ApiTokens.AsNoTracking().Where(t => userId == null || t.UserId == userId)
            .OrderByDescending(t => t.Id)
            .Select(t => new { Token = t, t.User!.UserName })
            .ToListAsync(cancellationToken);
        return tokens.Select(t => new ApiTokenInfo(t.Token.Id, t.UserName ?? "", t.Token.Name, t.Token.Scope, t.Token.CreatedAt, t.Token.ExpiresAt,
            t.Token.LastUsedAt, t.Token.RevokedAt, t.Token.IsActiveAt(now))).ToList();
    }

    /// <summary>The owner of a token; null when there is no such token.</summary>
    public async Task<long?> OwnerOfAsync(long tokenId, CancellationToken cancellationToken = default)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        return await context.ApiTokens.Where(t => t.Id == tokenId).Select(t => (long?)t.UserId).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>Revokes a token for good; false when there is no such token. Revoking twice keeps the first time.</summary>
    public async Task<bool> RevokeAsync(long tokenId, CancellationToken cancellationToken = default)
    {
        var now = Now;
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var token = await context.ApiTokens.FirstOrDefaultAsync(t => t.Id == tokenId, cancellationToken);
        if (token is null) return false;
        token.RevokedAt ??= now;
        await context.SaveChangesAsync(cancellationToken);
        return true;
    }
}
