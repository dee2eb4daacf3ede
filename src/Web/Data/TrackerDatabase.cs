using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Tracker.Web.Data;

/// <summary>How the app connects to its database and brings the schema up to date; the tests use the same code.</summary>
public static class TrackerDatabase
{
    /// <summary>Points <paramref name="builder"/> at the configured database, with the settings the app runs with.</summary>
    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder builder, DatabaseOptions options, string contentRootPath)
    {
        switch (options.Provider)
        {
            case DatabaseProvider.Sqlite:
                var path = options.ResolveSqlitePath(contentRootPath);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                builder.UseSqlite(new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString());
                builder.AddInterceptors(SqliteConnectionSettings.Instance);
                break;
            case DatabaseProvider.Postgres:
                builder.UseNpgsql(options.ConnectionString);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.Provider, "Unknown database provider.");
        }
        return builder;
    }

    /// <summary>
    /// Applies the pending migrations; on SQLite first switches the file to write-ahead logging. EF refuses to migrate
    /// when the model has changes no migration holds (its "pending model changes" check against the model snapshot);
    /// the schema tests in tests/Web.IntegrationTests also compare a migrated database with the model (docs/decisions/0004).
    /// </summary>
    public static async Task MigrateAsync(TrackerDbContext context, CancellationToken cancellationToken = default)
    {
        if (context.Database.IsSqlite())
            // Persistent in the file: readers no longer wait for a metric batch being written, nor it for them.
            await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = WAL;", cancellationToken);
        await context.Database.MigrateAsync(cancellationToken);
    }
}
