using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Tracker.Web.Data;

namespace Tracker.Web.Security;

/// <summary>
/// After the migrations (it is registered after <see cref="DatabaseMigrator"/>): makes the three roles, and when no
/// user exists either makes the bootstrap admin from <see cref="AuthOptions.BootstrapAdminToken"/> or, once the server
/// listens, logs the /setup link that makes the first admin.
/// </summary>
internal sealed class AccountSeeder(
    IServiceScopeFactory scopes, IOptions<AuthOptions> options, ApiTokens tokens, IServer server, IHostApplicationLifetime lifetime,
    ILogger<AccountSeeder> logger) : IHostedService
{
    public const string BootstrapUserName = "admin";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole<long>>>();
        foreach (var role in Roles.All)
            if (!await roles.RoleExistsAsync(role))
                Check(await roles.CreateAsync(new IdentityRole<long>(role)), $"role {role}");

        var users = scope.ServiceProvider.GetRequiredService<UserManager<TrackerUser>>();
        if (users.Users.Any()) return;
        if (options.Value.BootstrapAdminToken is { Length: > 0 } token)
        {
            var admin = new TrackerUser { UserName = BootstrapUserName, CreatedAt = DateTime.UtcNow };
            Check(await users.CreateAsync(admin), "the bootstrap admin");
            Check(await users.AddToRoleAsync(admin, Roles.Admin), "the bootstrap admin's role");
            await tokens.CreateAsync(admin.Id, "bootstrap", TokenScope.Write, expiresInDays: null, token, cancellationToken);
            logger.LogInformation("No user existed: made the admin user '{User}' with the token from Auth:BootstrapAdminToken", BootstrapUserName);
            return;
        }
        lifetime.ApplicationStarted.Register(LogSetupLink);
    }

    private void LogSetupLink()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost:5080";
        // Kestrel reports a wildcard address as http://[::]:port; the setup page answers loopback clients only.
        address = address.Replace("://[::]", "://localhost", StringComparison.Ordinal).Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal)
            .Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal);
        logger.LogWarning("No user exists yet. Create the first admin at {SetupUrl} (answered to this machine only)", address.TrimEnd('/') + AppUrls.Setup);
    }

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
            throw new InvalidOperationException($"Could not make {what}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
