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
        {
            await UseIncrementalAutoVacuumAsync(context, cancellationToken);
            // Persistent in the file: readers no longer wait for a metric batch being written, nor it for them.
            await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = WAL;", cancellationToken);
        }
        await context.Database.MigrateAsync(cancellationToken);
    }

    /// <summary>
    /// Makes the SQLite file able to give freed pages back (emptying the trash runs <c>PRAGMA incremental_vacuum</c>). A new file
    /// takes the setting before its first table; a file made before it needs one VACUUM, which rewrites it once, at this boot
    /// (docs/decisions/0058).
    /// </summary>
    private static async Task UseIncrementalAutoVacuumAsync(TrackerDbContext context, CancellationToken cancellationToken)
    {
        const long incremental = 2;
        // One connection throughout: the new mode is only pending on the connection that set it until VACUUM applies it.
        var connection = context.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);
        try
        {
            async Task<long> PragmaAsync(string name)
            {
                await using var read = connection.CreateCommand();
                read.CommandText = $"PRAGMA {name};";
                return Convert.ToInt64(await read.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            }
            async Task RunAsync(string sql)
            {
                await using var command = connection.CreateCommand();
                command.CommandText = sql;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            if (await PragmaAsync("auto_vacuum") == incremental) return;
            await RunAsync("PRAGMA auto_vacuum = INCREMENTAL;");
            if (await PragmaAsync("page_count") > 0) await RunAsync("VACUUM;");
        }
        finally
        {
            await connection.CloseAsync();
        }
    }
}
