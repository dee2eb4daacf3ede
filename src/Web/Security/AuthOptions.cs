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

    /// <summary>Empty means unset; a short token would be guessable.</summary>
    public bool IsValid => string.IsNullOrEmpty(BootstrapAdminToken) || BootstrapAdminToken.Length >= ApiTokens.MinBootstrapTokenLength;
}
