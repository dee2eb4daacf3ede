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

    /// <summary>
    /// Copies the whole log into the database file and empties the log (what shortens the file after
    /// <c>PRAGMA incremental_vacuum</c>). SQLite answers busy at once, without waiting, while another connection
    /// checkpoints (this service's passive one, every <see cref="Interval"/>), so a busy answer is tried again for a while.
    /// </summary>
    public static async Task TruncateAsync(TrackerDbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var connection = context.Database.GetDbConnection();
        await context.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                await using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
                // The answer's first column: 1 when the checkpoint could not run to its end.
                var busy = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
                if (busy == 0 || attempt == TruncateAttempts) return;
                await Task.Delay(Interval / 5, cancellationToken);
            }
        }
        finally
        {
            await context.Database.CloseConnectionAsync();
        }
    }

    private const int TruncateAttempts = 100;

    /// <summary>One passive checkpoint: whatever of the log no reader still needs goes into the database file.</summary>
    public async Task CheckpointAsync(CancellationToken cancellationToken = default)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        await context.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(PASSIVE);", cancellationToken);
    }
}
