using Microsoft.AspNetCore.Identity;

namespace Tracker.Web.Data;

/// <summary>
/// A person (or the bootstrap admin) who signs in. Identity keeps the password hash, lockout and security stamp;
/// the role is one of <see cref="Roles"/>. Keys are <c>long</c> like every other table's.
/// </summary>
public sealed class TrackerUser : IdentityUser<long>
{
    public DateTime CreatedAt { get; set; }
    /// <summary>A disabled user cannot sign in, and neither their session nor their tokens authenticate any more.</summary>
    public bool Disabled { get; set; }
}

/// <summary>The three roles. A user has exactly one.</summary>
public static class Roles
{
    /// <summary>Manages users, roles, every token, settings and the audit log; acts on any run.</summary>
    public const string Admin = "admin";
    /// <summary>Submits runs and sweeps; cancels, retries, tags, notes and shares; changes only their own runs.</summary>
    public const string Member = "member";
    /// <summary>Reads everything, changes nothing.</summary>
    public const string Viewer = "viewer";

    public static readonly IReadOnlyList<string> All = [Admin, Member, Viewer];

    public static bool IsKnown(string? role) => role is not null && All.Contains(role, StringComparer.Ordinal);
}
