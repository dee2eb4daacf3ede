using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Tracker.Shared;

namespace Tracker.Web.Security;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;token&gt;</c>, and <c>?access_token=</c> on the hub (browsers cannot set
/// headers on a WebSocket). Failures count against the client's address; past the limit it hears 429 for a while.
/// </summary>
public sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ApiTokens tokens, AuthFailureLimiter failures)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Token";
    private const string Throttled = "tracker:token-throttled";

    /// <summary>The token a request carries, or null.</summary>
    public static string? TokenOf(HttpRequest request)
    {
        string? header = request.Headers.Authorization;
        if (header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return header["Bearer ".Length..].Trim();
        if (request.Path.StartsWithSegments(RunsHubRoutes.Path) && request.Query["access_token"] is [{ Length: > 0 } queryToken]) return queryToken;
        return null;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (TokenOf(Request) is not { } token) return AuthenticateResult.NoResult();
        var client = AuthFailureLimiter.ClientOf(Context);
        if (failures.IsLimited(client))
        {
            Context.Items[Throttled] = true;
            return AuthenticateResult.Fail("Too many failed token authentications from this address.");
        }
        if (await tokens.AuthenticateAsync(token, SchemeName, Context.RequestAborted) is not { } principal)
        {
            failures.RecordFailure(client);
            return AuthenticateResult.Fail("The token is unknown, expired or revoked, or its owner is disabled.");
        }
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items.ContainsKey(Throttled))
        {
            Response.Headers.RetryAfter = ((int)AuthFailureLimiter.Window.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problems.WriteAsync(Context, StatusCodes.Status429TooManyRequests, "Too many failed authentications.",
                "This address sent too many unknown tokens; wait a minute.");
        }
        Response.Headers.WWWAuthenticate = "Bearer";
        return Problems.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Authentication required.",
            "Send a valid token (Authorization: Bearer <token>) or sign in.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.WriteAsync(Context, StatusCodes.Status403Forbidden, "Not allowed.",
            "The token's scope or its owner's role does not allow this.");
}
