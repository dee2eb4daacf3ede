namespace Tracker.Web.Data;

/// <summary>
/// A read-only link (<c>/s/{token}</c>). Only the SHA-256 of the token is stored, so the database alone
/// cannot open a share. Times are UTC.
/// </summary>
public sealed class ShareLink
{
    public long Id { get; set; }
    /// <summary>Lower-case hex SHA-256 of the token.</summary>
    public required string TokenHash { get; set; }
    public ShareTargetKind TargetKind { get; set; }
    /// <summary>
    /// A run id for <see cref="ShareTargetKind.Run"/>; the canonical <c>runs=...</c> query for <see cref="ShareTargetKind.Comparison"/>;
    /// a sweep id for <see cref="ShareTargetKind.Sweep"/>; the paper table's name for <see cref="ShareTargetKind.PaperTable"/>.
    /// </summary>
    public required string Target { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>Null = never expires.</summary>
    public DateTime? ExpiresAt { get; set; }
    public DateTime? RevokedAt { get; set; }
    /// <summary>The user who made the link: they (or an admin) may revoke it. Null for links made before accounts.</summary>
    public string? CreatedBy { get; set; }

    public bool IsActiveAt(DateTime now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}

public enum ShareTargetKind
{
    Run,
    Comparison,
    Sweep,
    PaperTable,
}
