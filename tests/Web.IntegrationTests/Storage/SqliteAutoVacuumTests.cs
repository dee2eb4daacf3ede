using Microsoft.Data.Sqlite;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Support;

namespace Tracker.Web.IntegrationTests.Storage;

/// <summary>Every SQLite file the app migrates can give freed pages back (emptying the trash), whether new or made before.</summary>
public class SqliteAutoVacuumTests
{
    private const long Incremental = 2;

    [Theory, SqliteData]
    public async Task ANewFile_IsMadeWithIncrementalAutoVacuum(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        Assert.Equal(Incremental, await PragmaAsync(database, "auto_vacuum"));
    }

    [Theory, SqliteData]
    public async Task AFileMadeWithoutIt_IsSwitchedAtMigrate_KeepingItsRows(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await ExecuteAsync(database, "CREATE TABLE Older (Value TEXT); INSERT INTO Older VALUES ('kept');");
        Assert.Equal(0, await PragmaAsync(database, "auto_vacuum"));

        await database.MigrateAsync();

        Assert.Equal(Incremental, await PragmaAsync(database, "auto_vacuum"));
        Assert.Equal(1, await ScalarAsync(database, "SELECT COUNT(*) FROM Older WHERE Value = 'kept'"));
        await database.MigrateAsync(); // already switched: nothing to do
        Assert.Equal(Incremental, await PragmaAsync(database, "auto_vacuum"));
    }

    private static Task<long> PragmaAsync(TestDatabase database, string pragma) => ScalarAsync(database, $"PRAGMA {pragma};");

    private static async Task<long> ScalarAsync(TestDatabase database, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={database.Options.SqlitePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(TestDatabase database, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={database.Options.SqlitePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
