using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Security;

namespace Tracker.Web.Features.Accounts;

/// <summary>A user as an admin sees them.</summary>
public sealed record UserInfo(long Id, string UserName, string Role, bool Disabled, bool HasPassword, DateTime CreatedAt);

/// <summary>What creating or changing a user did: the user, or the field at fault and why (nothing stored then).</summary>
public sealed record UserResult(UserInfo? User, string? Field, string? Error, string? SetPasswordLink = null)
{
    public bool Succeeded => User is not null;

    public static UserResult Refused(string field, string error) => new(null, field, error);
}

/// <summary>POST /api/users and the form of /admin/users.</summary>
public sealed record CreateUserRequest(string? UserName, string? Password, string? Role);

/// <summary>PATCH /api/users/{id}: what is given changes, what is left out stays.</summary>
public sealed record UpdateUserRequest(string? Role, bool? Disabled);

/// <summary>
/// Managing users (admins only; the callers check the policy): create with a password or a one-time set-password link,
/// change the role, disable. The last enabled admin can be neither demoted nor disabled, so nobody is locked out.
/// </summary>
public sealed class UserAdmin(UserManager<TrackerUser> users, AuditLog audit, TimeProvider clock)
{
    public const int MaxUserNameLength = 64;

    public async Task<IReadOnlyList<UserInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        var all = await users.Users.AsNoTracking().OrderBy(u => u.UserName).ToListAsync(cancellationToken);
        var result = new List<UserInfo>(all.Count);
        foreach (var user in all) result.Add(await InfoAsync(user));
        return result;
    }

    public async Task<UserResult> CreateAsync(CreateUserRequest request, ClaimsPrincipal? actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var name = request.UserName?.Trim() ?? "";
        if (name.Length == 0) return UserResult.Refused("userName", "Give the user a name.");
        if (name.Length > MaxUserNameLength) return UserResult.Refused("userName", $"A user name has at most {MaxUserNameLength} characters.");
        if (InputRules.HasControlCharacter(name)) return UserResult.Refused("userName", InputRules.ControlCharacterMessage);
        var role = request.Role?.Trim().ToLowerInvariant() ?? Roles.Member;
        if (!Roles.IsKnown(role)) return UserResult.Refused("role", $"Unknown role '{request.Role}'. Use one of: {string.Join(", ", Roles.All)}.");
        if (request.Password is { } password)
        {
            if (InputRules.HasControlCharacter(password)) return UserResult.Refused("password", InputRules.ControlCharacterMessage);
            foreach (var validator in users.PasswordValidators)
                if (await validator.ValidateAsync(users, new TrackerUser { UserName = name }, password) is { Succeeded: false } bad)
                    return UserResult.Refused("password", Describe(bad));
        }
        if (await users.FindByNameAsync(name) is not null) return UserResult.Refused("userName", $"There is already a user '{name}'.");

        var user = new TrackerUser { UserName = name, CreatedAt = clock.GetUtcNow().UtcDateTime };
        var created = request.Password is { } initial ? await users.CreateAsync(user, initial) : await users.CreateAsync(user);
        if (!created.Succeeded) return UserResult.Refused("userName", Describe(created));
        await users.AddToRoleAsync(user, role);
        string? link = null;
        if (request.Password is null) link = AppUrls.SetPasswordLink(user.Id, await users.GeneratePasswordResetTokenAsync(user));
        await audit.RecordAsync(actor, AuditActions.CreateUser, $"user {name}", $"role {role}", cancellationToken);
        return new UserResult(await InfoAsync(user), null, null, link);
    }

    public async Task<UserResult> UpdateAsync(long id, UpdateUserRequest request, ClaimsPrincipal? actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await users.FindByIdAsync(id.ToString(System.Globalization.CultureInfo.InvariantCulture)) is not { } user)
            return UserResult.Refused("id", $"There is no user {id}.");
        var currentRole = (await users.GetRolesAsync(user)).FirstOrDefault() ?? Roles.Viewer;
        var role = request.Role?.Trim().ToLowerInvariant();
        if (role is not null && !Roles.IsKnown(role)) return UserResult.Refused("role", $"Unknown role '{request.Role}'. Use one of: {string.Join(", ", Roles.All)}.");
        var losesAdmin = currentRole == Roles.Admin && !user.Disabled && ((role is not null && role != Roles.Admin) || request.Disabled == true);
        if (losesAdmin && await EnabledAdminCountAsync(cancellationToken) <= 1)
            return UserResult.Refused(role is not null && role != Roles.Admin ? "role" : "disabled", "This is the last enabled admin: make another admin first.");

        if (role is not null && role != currentRole)
        {
            await users.RemoveFromRolesAsync(user, await users.GetRolesAsync(user));
            await users.AddToRoleAsync(user, role);
            await audit.RecordAsync(actor, AuditActions.ChangeRole, $"user {user.UserName}", $"{currentRole} -> {role}", cancellationToken);
        }
        if (request.Disabled is { } disabled && disabled != user.Disabled)
        {
            user.Disabled = disabled;
            await users.UpdateAsync(user);
            await audit.RecordAsync(actor, disabled ? AuditActions.DisableUser : AuditActions.EnableUser, $"user {user.UserName}", null, cancellationToken);
        }
        // A new stamp ends the user's open sessions at their next check, so a role or a disable takes effect.
        await users.UpdateSecurityStampAsync(user);
        return new UserResult(await InfoAsync(user), null, null);
    }

    /// <summary>Sets the password from a one-time link's token; the token stops working once used (the stamp changes).</summary>
    public async Task<UserResult> SetPasswordAsync(long id, string token, string password, CancellationToken cancellationToken = default)
    {
        if (await users.FindByIdAsync(id.ToString(System.Globalization.CultureInfo.InvariantCulture)) is not { } user)
            return UserResult.Refused("token", "This link is not valid.");
        var result = await users.ResetPasswordAsync(user, token, password);
        if (!result.Succeeded)
            return UserResult.Refused(result.Errors.Any(e => e.Code == "InvalidToken") ? "token" : "password",
                result.Errors.Any(e => e.Code == "InvalidToken") ? "This link is not valid, or was used already." : Describe(result));
        await audit.RecordAsync(user.UserName, AuditActions.SetPassword, $"user {user.UserName}", null, cancellationToken);
        return new UserResult(await InfoAsync(user), null, null);
    }

    private async Task<int> EnabledAdminCountAsync(CancellationToken cancellationToken) =>
        (await users.GetUsersInRoleAsync(Roles.Admin)).Count(u => !u.Disabled);

    private async Task<UserInfo> InfoAsync(TrackerUser user) =>
        new(user.Id, user.UserName ?? "", (await users.GetRolesAsync(user)).FirstOrDefault() ?? Roles.Viewer, user.Disabled,
            user.PasswordHash is not null, user.CreatedAt);

    private static string Describe(IdentityResult result) => string.Join(" ", result.Errors.Select(e => e.Description));
}
