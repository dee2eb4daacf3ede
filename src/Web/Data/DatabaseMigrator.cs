namespace Tracker.Web.Data;

/// <summary>
/// Brings the schema up to date in StartAsync: the host finishes starting hosted services before the server
/// listens, so no request ever meets an old schema, and a failed migration stops the app at boot.
/// </summary>
internal sealed class DatabaseMigrator(IServiceScopeFactory scopes, ILogger<DatabaseMigrator> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<TrackerDbContext>();
        await TrackerDatabase.MigrateAsync(context, cancellationToken);
        logger.LogInformation("Database schema is up to date ({Provider})", context.Database.ProviderName);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
