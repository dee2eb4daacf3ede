namespace Tracker.Web.Data;

/// <summary>
/// A personal API token (<c>Authorization: Bearer ...</c>). Only the SHA-256 of the token is stored; the token itself
/// is shown once, when it is made. It never acts beyond its owner's role. Times are UTC.
/// </summary>
public sealed class ApiToken
{
    public long Id { get; set; }
    public long UserId { get; set; }
    public TrackerUser? User { get; set; }
    public required string Name { get; set; }
    public TokenScope Scope { get; set; }
    /// <summary>Lower-case hex SHA-256 of the token.</summary>
    public required string TokenHash { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>Null = never expires.</summary>
    public DateTime? ExpiresAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
    public DateTime? RevokedAt { get; set; }

    public bool IsActiveAt(DateTime now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}

public enum TokenScope
{
    /// <summary>Reads only: dashboards and scripts.</summary>
    Read,
    /// <summary>Everything its owner's role allows.</summary>
    Write,
    /// <summary>For training workers on other machines; opens neither the read nor the write API.</summary>
    Worker,
}
