namespace Tracker.Web.Data;

/// <summary>One security-relevant act: who did what to which target, and when (UTC). Written once, never changed.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public DateTime At { get; set; }
    /// <summary>The user's name; null for an anonymous act (a failed sign-in names the account tried in <see cref="Target"/>).</summary>
    public string? Actor { get; set; }
    /// <summary>One of <see cref="AuditActions"/>.</summary>
    public required string Action { get; set; }
    /// <summary>What it acted on: "run 12", "user alice", "token 3", "share 7".</summary>
    public string? Target { get; set; }
    public string? Detail { get; set; }
}

/// <summary>The audited acts, as stored in <see cref="AuditEntry.Action"/>.</summary>
public static class AuditActions
{
    public const string SignIn = "sign-in";
    public const string SignInFailed = "sign-in-failed";
    public const string SignOut = "sign-out";
    public const string Submit = "submit";
    public const string Cancel = "cancel";
    /// <summary>A run moved to the trash.</summary>
    public const string Delete = "delete";
    public const string Restore = "restore";
    public const string EmptyTrash = "empty-trash";
    public const string Rename = "rename";
    public const string Archive = "archive";
    public const string Unarchive = "unarchive";
    public const string Tag = "tag";
    public const string Untag = "untag";
    public const string Retry = "retry";
    public const string Share = "share";
    public const string RevokeShare = "revoke-share";
    public const string CreateToken = "create-token";
    public const string RevokeToken = "revoke-token";
    public const string CreateUser = "create-user";
    public const string ChangeRole = "change-role";
    public const string DisableUser = "disable-user";
    public const string EnableUser = "enable-user";
    public const string SetPassword = "set-password";
    /// <summary>An admin drained, disabled or enabled a remote worker.</summary>
    public const string SetWorkerState = "set-worker-state";
}
