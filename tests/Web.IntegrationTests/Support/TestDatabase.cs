using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Tracker.Web.Data;

namespace Tracker.Web.IntegrationTests.Support;

/// <summary>
/// An empty database of its own for one test: a SQLite file in a temporary folder, or a new database on the test
/// PostgreSQL server. Contexts come from the app's own <see cref="TrackerDatabase.Configure"/>; dropped on dispose.
/// </summary>
public sealed class TestDatabase : IDbContextFactory<TrackerDbContext>, IAsyncDisposable
{
    private readonly string? _sqliteFolder;
    private readonly string? _postgresName;
    private readonly DbContextOptions _contextOptions;

    private TestDatabase(DatabaseOptions options, string? sqliteFolder, string? postgresName)
    {
        Options = options;
        _sqliteFolder = sqliteFolder;
        _postgresName = postgresName;
        _contextOptions = options.Provider == DatabaseProvider.Sqlite
            ? TrackerDatabase.Configure(new DbContextOptionsBuilder<SqliteTrackerDbContext>(), options, sqliteFolder!).Options
            : TrackerDatabase.Configure(new DbContextOptionsBuilder<PostgresTrackerDbContext>(), options, AppContext.BaseDirectory).Options;
    }

    public DatabaseOptions Options { get; }

    public DatabaseProvider Provider => Options.Provider;

    /// <summary>The "Database" section that points the app at this database.</summary>
    public Dictionary<string, string?> AppSettings => new()
    {
        [$"{DatabaseOptions.SectionName}:{nameof(DatabaseOptions.Provider)}"] = Provider == DatabaseProvider.Sqlite ? "sqlite" : "postgres",
        [$"{DatabaseOptions.SectionName}:{nameof(DatabaseOptions.SqlitePath)}"] = Options.SqlitePath,
        [$"{DatabaseOptions.SectionName}:{nameof(DatabaseOptions.ConnectionString)}"] = Options.ConnectionString,
    };

    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider)
    {
        if (provider == DatabaseProvider.Sqlite)
        {
            var folder = Directory.CreateTempSubdirectory("tracker-db-test-").FullName;
            return new TestDatabase(new DatabaseOptions { SqlitePath = Path.Combine(folder, "tracker.db") }, folder, null);
        }

        var server = new NpgsqlConnectionStringBuilder(PostgresServer.RequireConnectionString());
        var name = $"tracker_test_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        var database = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = name };
        return new TestDatabase(
            new DatabaseOptions { Provider = DatabaseProvider.Postgres, ConnectionString = database.ConnectionString }, null, name);
    }

    public TrackerDbContext CreateDbContext() => Create(_contextOptions);

    private TrackerDbContext Create(DbContextOptions options) => Provider == DatabaseProvider.Sqlite
        ? new SqliteTrackerDbContext((DbContextOptions<SqliteTrackerDbContext>)options)
        : new PostgresTrackerDbContext((DbContextOptions<PostgresTrackerDbContext>)options);

    /// <summary>Contexts of the same database that go through <paramref name="interceptor"/> (a test's storage outage).</summary>
    public sealed class WithInterceptor(TestDatabase database, Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor interceptor) : IDbContextFactory<TrackerDbContext>
    {
        private readonly DbContextOptions _options = database.Provider == DatabaseProvider.Sqlite
            ? new DbContextOptionsBuilder<SqliteTrackerDbContext>((DbContextOptions<SqliteTrackerDbContext>)database._contextOptions).AddInterceptors(interceptor).Options
            : new DbContextOptionsBuilder<PostgresTrackerDbContext>((DbContextOptions<PostgresTrackerDbContext>)database._contextOptions).AddInterceptors(interceptor).Options;

        public TrackerDbContext CreateDbContext() => database.Create(_options);
    }

    /// <summary>Applies the real migrations, as the app does at boot.</summary>
    public async Task MigrateAsync()
    {
        await using var context = CreateDbContext();
        await TrackerDatabase.MigrateAsync(context);
    }

    public async ValueTask DisposeAsync()
    {
        if (_sqliteFolder is not null)
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(_sqliteFolder, recursive: true);
        }
        if (_postgresName is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(PostgresServer.RequireConnectionString());
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_postgresName}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
