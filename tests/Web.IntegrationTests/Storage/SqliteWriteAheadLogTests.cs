using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Support;

namespace Tracker.Web.IntegrationTests.Storage;

/// <summary>
/// How metric batches meet SQLite's file (docs/decisions/0072): points get plain rowid keys, and the write-ahead log is
/// copied into the database file by <see cref="SqliteCheckpointer"/>, not by the commit that stores a batch.
/// </summary>
public class SqliteWriteAheadLogTests
{
    [Theory, SqliteData]
    public async Task MetricPoints_LoseAutoincrement_KeepingTheirRowsAndIds_AndNewPointsComeAfterThem(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using (var context = database.CreateDbContext())
            await context.GetService<IMigrator>().MigrateAsync("20261221000065_RemoteWorkers");
        Assert.Contains("AUTOINCREMENT", await TableSqlAsync(database), StringComparison.OrdinalIgnoreCase);
        var runId = await Runs.AddAsync(database);
        var writer = new MetricWriter(database);
        await writer.AppendAsync(Points(runId, "train/loss", 1, 3));
        var before = await IdsAsync(database);

        await database.MigrateAsync();

        Assert.DoesNotContain("AUTOINCREMENT", await TableSqlAsync(database), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, await IdsAsync(database));
        await writer.AppendAsync(Points(runId, "train/loss", 4, 4));
        var after = await IdsAsync(database);
        Assert.Equal(4, after.Count);
        Assert.True(after[^1].Id > before.Max(p => p.Id), "a new point's id comes after every stored one");
    }

    [Theory, SqliteData]
    public async Task ABatchCommits_WithoutTheWriterCheckpointing_AndTheCheckpointerCopiesItIntoTheFile(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        var runId = await Runs.AddAsync(database);
        // SQLite also checkpoints when the last connection to a file closes, as when another test clears the pools.
        // It must read once: only a connection that has opened the log's index holds it open, so an idle one did not stop
        // the writer's pooled connection, closed by another test's ClearAllPools mid-test, from checkpointing on close.
        await using var keepsTheLogOpen = new SqliteConnection($"Data Source={database.Options.SqlitePath};Pooling=False");
        await keepsTheLogOpen.OpenAsync();
        await using (var read = keepsTheLogOpen.CreateCommand())
        {
            read.CommandText = "SELECT count(*) FROM sqlite_master";
            await read.ExecuteScalarAsync();
        }
        var checkpointer = new SqliteCheckpointer(database, Options.Create(database.Options), NullLogger<SqliteCheckpointer>.Instance);
        await checkpointer.CheckpointAsync();
        var file = new FileInfo(database.Options.SqlitePath!);
        var emptyFile = file.Length;

        // About 10 MiB of points and index: more than SQLite's default threshold of 1,000 pages, at which the
        // committing writer would have checkpointed the log itself.
        await new MetricWriter(database).AppendAsync(Points(runId, "train/loss", 1, 150_000));

        file.Refresh();
        Assert.Equal(emptyFile, file.Length);
        Assert.True(new FileInfo(database.Options.SqlitePath + "-wal").Length > 1000 * 4096, "the batch waits in the log");
        await checkpointer.CheckpointAsync();
        file.Refresh();
        Assert.True(file.Length > emptyFile + 1000 * 4096, $"the file grew from {emptyFile} to {file.Length} bytes");
    }

    private static List<MetricPoint> Points(long runId, string key, long fromStep, long toStep) =>
        [.. Enumerable.Range((int)fromStep, (int)(toStep - fromStep + 1)).Select(step => new MetricPoint
        {
            RunId = runId, Key = key, Step = step, Epoch = 1, Value = step * 0.5, Time = Runs.Created,
        })];

    private static async Task<List<(long Id, long Step)>> IdsAsync(TestDatabase database)
    {
        await using var context = database.CreateDbContext();
        return (await context.MetricPoints.AsNoTracking().OrderBy(p => p.Id).Select(p => new { p.Id, p.Step }).ToListAsync())
            .Select(p => (p.Id, p.Step)).ToList();
    }

    private static async Task<string> TableSqlAsync(TestDatabase database)
    {
        await using var connection = new SqliteConnection($"Data Source={database.Options.SqlitePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'MetricPoints'";
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
