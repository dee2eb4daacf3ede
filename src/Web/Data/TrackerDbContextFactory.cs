using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Tracker.Web.Data;

/// <summary>Creates the configured provider's context, so callers only ever ask for <see cref="TrackerDbContext"/>.</summary>
internal sealed class TrackerDbContextFactory(IOptions<DatabaseOptions> options, IServiceProvider services) : IDbContextFactory<TrackerDbContext>
{
    public TrackerDbContext CreateDbContext() => options.Value.Provider switch
    {
        DatabaseProvider.Sqlite => services.GetRequiredService<IDbContextFactory<SqliteTrackerDbContext>>().CreateDbContext(),
        DatabaseProvider.Postgres => services.GetRequiredService<IDbContextFactory<PostgresTrackerDbContext>>().CreateDbContext(),
        var provider => throw new InvalidOperationException($"Unknown database provider {provider}."),
    };
}
