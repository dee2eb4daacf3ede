namespace Tracker.Web.Security;

/// <summary>The "Auth" section: accounts for headless deploys.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>
    /// When no user exists, the admin user "admin" is made holding an API token of exactly this value (stored hashed,
    /// scope write). For scripts and containers that cannot open /setup in a browser. Ignored once any user exists.
    /// </summary>
    public string? BootstrapAdminToken { get; set; }

    /// <summary>Failed token authentications one client address may make a minute before it hears 429.</summary>
    public int TokenFailuresPerMinute { get; set; } = 20;

    /// <summary>Sign-in and setup form posts one client address may make a minute (Identity's lockout guards each account too).</summary>
    public int SignInsPerMinute { get; set; } = 10;

    /// <summary>Empty means unset; a short token would be guessable.</summary>
    public bool IsValid => string.IsNullOrEmpty(BootstrapAdminToken) || BootstrapAdminToken.Length >= ApiTokens.MinBootstrapTokenLength;
}
