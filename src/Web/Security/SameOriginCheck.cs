namespace Tracker.Web.Security;

/// <summary>
/// CSRF defence of the API: a state-changing request authenticated by the session cookie must come from a page of this
/// origin (its Origin header, which browsers always send on cross-origin and on fetch/XHR POSTs, names this host).
/// Requests carrying a bearer token are not at risk (a browser never adds one by itself) and pass. The cookie's
/// SameSite=Strict already keeps it off cross-site requests; this check holds even where a browser ignores that.
/// </summary>
public static class SameOriginCheck
{
    public static bool Passes(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (AccessHandler.IsSafe(request.Method) || TokenAuthenticationHandler.TokenOf(request) is not null) return true;
        if (request.HttpContext.User.Identity?.IsAuthenticated != true) return true; // nothing to forge: the endpoint's policy answers 401
        string? origin = request.Headers.Origin;
        if (string.IsNullOrEmpty(origin))
            // Without Origin, only a fetch metadata header that says same-origin is trusted.
            return string.Equals(request.Headers["Sec-Fetch-Site"], "same-origin", StringComparison.Ordinal);
        return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }
}
