using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Tracker.Web.Data;

/// <summary>
/// On SQLite, copies the write-ahead log into the database file on a thread of its own, every <see cref="Interval"/>,
/// instead of inside the commit that happens to cross SQLite's threshold. That commit was a metric batch's: copying
/// and syncing the log took about a third of the time a batch of events took to be acknowledged (docs/decisions/0072).
/// A passive checkpoint never waits for readers or the writer, and writers keep a far larger threshold of their own
/// (<see cref="SqliteConnectionSettings.WriterCheckpointPages"/>) for the case where this one falls behind.
/// </summary>
public sealed class SqliteCheckpointer(IDbContextFactory<TrackerDbContext> contexts, IOptions<DatabaseOptions> options, ILogger<SqliteCheckpointer> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Provider != DatabaseProvider.Sqlite) return;
        var failing = false;
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await CheckpointAsync(stoppingToken);
                failing = false;
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // The database may not be migrated yet, or its disk full: writers still checkpoint at their own threshold.
                if (!failing) logger.LogWarning(error, "Checkpointing the SQLite log failed; retrying every {Interval} ms", Interval.TotalMilliseconds);
                failing = true;
            }
        }
    }

    /// <summary>One passive checkpoint: whatever of the log no reader still needs goes into the database file.</summary>
    public async Task CheckpointAsync(CancellationToken cancellationToken = default)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        await context.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(PASSIVE);", cancellationToken);
    }
}
