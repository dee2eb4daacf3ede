using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Tracker.Web.Data;

namespace Tracker.Web.Security;

/// <summary>
/// The authorization policies, by name. Every endpoint names one (a test enumerates the endpoints and fails on any
/// that does not). The /api group carries <see cref="Api"/>, which asks for <see cref="Read"/> on GET/HEAD and for
/// <see cref="Write"/> on anything else, so an endpoint added to a group later is never more open than its method.
/// </summary>
public static class Policies
{
    /// <summary>Any signed-in user, or a token of scope read or write.</summary>
    public const string Read = "read";
    /// <summary>An admin or a member, signed in or with a write token.</summary>
    public const string Write = "write";
    /// <summary>An admin, signed in or with a write token.</summary>
    public const string Admin = "admin";
    /// <summary><see cref="Read"/> for GET and HEAD, <see cref="Write"/> for every other method.</summary>
    public const string Api = "api";
    /// <summary>A token of scope worker (training workers on other machines) of an admin or a member.</summary>
    public const string Worker = "worker";
    /// <summary>Any signed-in user managing their own tokens; a read token cannot make itself a write token.</summary>
    public const string Account = "account";

    public static void Add(AuthorizationOptions options)
    {
        options.AddPolicy(Read, policy => policy.RequireAuthenticatedUser().AddRequirements(new AccessRequirement(Access.Read)));
        options.AddPolicy(Write, policy => policy.RequireAuthenticatedUser().AddRequirements(new AccessRequirement(Access.Write)));
        options.AddPolicy(Admin, policy => policy.RequireAuthenticatedUser().AddRequirements(new AccessRequirement(Access.Admin)));
        options.AddPolicy(Api, policy => policy.RequireAuthenticatedUser().AddRequirements(new AccessRequirement(Access.ByMethod)));
        options.AddPolicy(Worker, policy => policy.RequireAuthenticatedUser().AddRequirements(new AccessRequirement(Access.Worker)));
        options.AddPolicy(Account, policy => policy.RequireAuthenticatedUser().AddRequirements(new AccessRequirement(Access.Account)));
        // Whatever names no policy still needs a reader: an oversight stays closed (the endpoint test still fails on it).
        options.FallbackPolicy = options.GetPolicy(Read);
    }
}

public enum Access
{
    Read,
    Write,
    Admin,
    ByMethod,
    Worker,
    Account,
}

public sealed record AccessRequirement(Access Access) : IAuthorizationRequirement;

/// <summary>Grants <see cref="AccessRequirement"/> from the caller's role and, for a token, its scope.</summary>
public sealed class AccessHandler : AuthorizationHandler<AccessRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, AccessRequirement requirement)
    {
        var access = requirement.Access;
        if (access == Access.ByMethod)
            access = context.Resource is HttpContext http && !IsSafe(http.Request.Method) ? Access.Write : Access.Read;
        if (Allows(context.User, access)) context.Succeed(requirement);
        return Task.CompletedTask;
    }

    public static bool IsSafe(string method) => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method);

    /// <summary>Whether <paramref name="user"/> may do what <paramref name="access"/> names.</summary>
    public static bool Allows(ClaimsPrincipal user, Access access)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Identity?.IsAuthenticated != true) return false;
        var scope = TrackerClaims.ScopeOf(user);
        return access switch
        {
            Access.Read => scope is null or TokenScope.Read or TokenScope.Write,
            Access.Write => scope is null or TokenScope.Write && (user.IsInRole(Roles.Admin) || user.IsInRole(Roles.Member)),
            Access.Admin => scope is null or TokenScope.Write && user.IsInRole(Roles.Admin),
            // A worker trains the queue's runs and writes their results: a viewer's worker token must not.
            Access.Worker => scope == TokenScope.Worker && (user.IsInRole(Roles.Admin) || user.IsInRole(Roles.Member)),
            Access.Account => scope is null or TokenScope.Write,
            _ => false,
        };
    }
}

/// <summary>The claims the app reads: Identity's name, id and role, and a token's scope.</summary>
public static class TrackerClaims
{
    /// <summary>Present only on a principal made from an API token.</summary>
    public const string Scope = "tracker:scope";

    public static TokenScope? ScopeOf(ClaimsPrincipal user) =>
        user.FindFirstValue(Scope) is { } value && Enum.TryParse<TokenScope>(value, ignoreCase: true, out var scope) ? scope : null;

    public static long? UserIdOf(ClaimsPrincipal user) =>
        long.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    public static string? NameOf(ClaimsPrincipal user) => user.Identity?.IsAuthenticated == true ? user.Identity.Name : null;

    public static bool IsAdmin(ClaimsPrincipal user) => AccessHandler.Allows(user, Access.Admin);

    /// <summary>
    /// Whether <paramref name="user"/> may change a run owned by <paramref name="owner"/> (cancel, retry, delete, tag,
    /// note): an admin any run, a member their own.
    /// </summary>
    public static bool MayChangeRun(ClaimsPrincipal user, string? owner) =>
        AccessHandler.Allows(user, Access.Write)
        && (IsAdmin(user) || (owner is not null && string.Equals(owner, NameOf(user), StringComparison.Ordinal)));
}
