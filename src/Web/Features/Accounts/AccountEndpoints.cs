using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Tracker.Web.Data;
using Tracker.Web.Security;

namespace Tracker.Web.Features.Accounts;

/// <summary>POST /api/tokens: a name, a scope and an optional expiry in days.</summary>
public sealed record CreateTokenRequest(string? Name, TokenScope? Scope, int? ExpiresInDays);

/// <summary>/api/users (admin), /api/tokens (every user, their own; admins see and revoke all) and /api/audit (admin).</summary>
public static class AccountEndpoints
{
    public static RouteGroupBuilder MapUsers(this RouteGroupBuilder api)
    {
        var users = api.MapGroup("/users").WithTags("Users").RequireAuthorization(Policies.Admin);
        users.MapGet("/", async (UserAdmin admin, CancellationToken cancellationToken) => TypedResults.Ok(await admin.ListAsync(cancellationToken)))
            .WithName("ListUsers").WithSummary("Every user with their role")
            .WithDescription("Id, name, role, whether disabled and whether a password is set, and when each was made.");
        users.MapPost("/", CreateUserAsync).WithName("CreateUser").WithSummary("Create a user")
            .WithDescription("userName, role (admin | member | viewer) and password; without a password the answer holds a one-time "
                + "setPasswordLink. 201, or 400 naming the field.");
        users.MapPatch("/{id:long}", UpdateUserAsync).WithName("UpdateUser").WithSummary("Change a user's role or disable them")
            .WithDescription("role and/or disabled; what is left out stays. The last enabled admin cannot be demoted or disabled (400); 404 for an unknown user.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    public static RouteGroupBuilder MapAudit(this RouteGroupBuilder api)
    {
        api.MapGet("/audit", async (AuditLog audit, CancellationToken cancellationToken, int take = 100, long? before = null) =>
                TypedResults.Ok(await audit.ListAsync(take, before, cancellationToken)))
            .WithName("ListAudit").WithTags("Audit").RequireAuthorization(Policies.Admin)
            .WithSummary("The audit log, newest first")
            .WithDescription($"take: 1 to {AuditLog.MaxPageSize} entries (default 100); before: an entry id, to page back. 400 when either is not a number.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return api;
    }

    /// <summary>Outside the /api group's policy, because a viewer manages their own (read) tokens too.</summary>
    public static WebApplication MapTokens(this WebApplication app, string apiPrefix)
    {
        var tokens = app.MapGroup($"{apiPrefix}/tokens").WithTags("Tokens").RequireAuthorization(Policies.Account);
        tokens.MapPost("/", CreateTokenAsync).WithName("CreateToken").WithSummary("Make a personal API token")
            .WithDescription($"name, scope (read | write | worker), expiresInDays (1 to {ApiTokens.MaxExpiryDays}, or none). 201 with the token, "
                + "shown this once. It never acts beyond its owner's role.");
        tokens.MapGet("/", ListTokensAsync).WithName("ListTokens").WithSummary("Your tokens (an admin: everyone's)")
            .WithDescription("Names, scopes, expiry, last use and revocation; never the tokens themselves.");
        tokens.MapDelete("/{id:long}", RevokeTokenAsync).WithName("RevokeToken").WithSummary("Revoke a token")
            .WithDescription("204. Your own tokens; an admin's, anyone's. 404 for an unknown token or someone else's.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Created<UserCreated>, ValidationProblem>> CreateUserAsync(
        CreateUserRequest request, UserAdmin admin, ClaimsPrincipal user, HttpRequest http, CancellationToken cancellationToken)
    {
        var result = await admin.CreateAsync(request, user, cancellationToken);
        if (!result.Succeeded) return Invalid(result);
        var link = result.SetPasswordLink is { } path ? $"{http.Scheme}://{http.Host}{http.PathBase}{path}" : null;
        return TypedResults.Created($"/api/users/{result.User!.Id}", new UserCreated(result.User, link));
    }

    private static async Task<Results<Ok<UserInfo>, ValidationProblem, ProblemHttpResult>> UpdateUserAsync(
        long id, UpdateUserRequest request, UserAdmin admin, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var result = await admin.UpdateAsync(id, request, user, cancellationToken);
        if (result.Field == "id") return TypedResults.Problem(title: "No such user.", detail: result.Error, statusCode: StatusCodes.Status404NotFound);
        return result.Succeeded ? TypedResults.Ok(result.User!) : Invalid(result);
    }

    private static async Task<Results<Created<CreatedApiToken>, ValidationProblem>> CreateTokenAsync(
        CreateTokenRequest request, ApiTokens tokens, AuditLog audit, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (ApiTokens.Problem(request.Name, request.ExpiresInDays) is { } problem) return Invalid(problem.Field, problem.Message);
        if (request.Scope is not { } scope || !Enum.IsDefined(scope)) return Invalid("scope", "Choose a scope: read, write or worker.");
        var created = await tokens.CreateAsync(TrackerClaims.UserIdOf(user)!.Value, request.Name!, scope, request.ExpiresInDays, cancellationToken: cancellationToken);
        await audit.RecordAsync(user, AuditActions.CreateToken, $"token {created.Id}", $"{created.Name} ({scope.ToString().ToLowerInvariant()})", cancellationToken);
        return TypedResults.Created($"/api/tokens/{created.Id}", created);
    }

    private static async Task<Ok<IReadOnlyList<ApiTokenInfo>>> ListTokensAsync(ApiTokens tokens, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        TypedResults.Ok(await tokens.ListAsync(TrackerClaims.IsAdmin(user) ? null : TrackerClaims.UserIdOf(user), cancellationToken));

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeTokenAsync(
        long id, ApiTokens tokens, AuditLog audit, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        // Someone else's token is "not found", not "forbidden": its existence is not the caller's business.
        var owner = await tokens.OwnerOfAsync(id, cancellationToken);
        if (owner is null || (owner != TrackerClaims.UserIdOf(user) && !TrackerClaims.IsAdmin(user)))
            return TypedResults.Problem(title: "No such token.", detail: $"You have no token {id}.", statusCode: StatusCodes.Status404NotFound);
        await tokens.RevokeAsync(id, cancellationToken);
        await audit.RecordAsync(user, AuditActions.RevokeToken, $"token {id}", null, cancellationToken);
        return TypedResults.NoContent();
    }

    private static ValidationProblem Invalid(UserResult result) => Invalid(result.Field!, result.Error!);

    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: $"The field '{field}' is not valid.");
}

/// <summary>A new user; <see cref="SetPasswordLink"/> when they were made without a password.</summary>
public sealed record UserCreated(UserInfo User, string? SetPasswordLink);
